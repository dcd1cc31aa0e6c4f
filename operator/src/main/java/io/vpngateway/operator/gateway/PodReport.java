package io.vpngateway.operator.gateway;

import java.util.Map;

/**
 * What one gateway pod's {@code GET /metrics} says that the status needs.
 *
 * @param sessionsByProtocol live sessions by protocol name (as the CR spells it)
 * @param radiusServersUp {@code host:port -> up} for every RADIUS server the pod has talked to
 * @param oidcIssuersUp {@code issuer URL -> up}, once the pod has talked to the issuer
 */
public record PodReport(
    Map<String, Integer> sessionsByProtocol,
    Map<String, Boolean> radiusServersUp,
    Map<String, Boolean> oidcIssuersUp) {
  public PodReport {
    sessionsByProtocol = Map.copyOf(sessionsByProtocol);
    radiusServersUp = Map.copyOf(radiusServersUp);
    oidcIssuersUp = Map.copyOf(oidcIssuersUp);
  }

  public static PodReport sessionsOnly(Map<String, Integer> sessionsByProtocol) {
    return new PodReport(sessionsByProtocol, Map.of(), Map.of());
  }
}
