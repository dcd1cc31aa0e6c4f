package io.vpngateway.operator.gateway;

import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The VpnGateway's {@code RadiusReachable} and {@code OidcIssuerReachable} conditions, from the
 * pods' {@code vpngw_radius_server_up} and {@code vpngw_oidc_issuer_up} gauges ({@link AuthHealth}).
 * A server counts as down when any pod that answered saw its last exchange fail: that pod's
 * clients are the ones refused. Messages name servers by {@code host:port}, the issuer by its URL,
 * and pods by name; never a secret (the gauges carry none).
 *
 * <p>Informational: {@code Ready} does not depend on them (certificate logins work without any of
 * these servers, and a flapping server must not make the gateway look undeployed).
 */
final class AuthBackendConditions {
  private AuthBackendConditions() {}

  /** Empty when no pod answered this round: the caller keeps the previous condition. */
  static Optional<Condition> radius(Optional<AuthHealth> health) {
    if (health.isEmpty()) {
      return Optional.empty();
    }
    Map<String, AuthHealth.Seen> servers = health.get().radiusServers();
    if (servers.isEmpty()) {
      return Optional.of(
          condition(
              ConditionTypes.RADIUS_REACHABLE,
              Condition.UNKNOWN,
              ConditionTypes.REASON_NOT_CHECKED,
              "no RADIUS exchange yet on " + pods(health.get().podsAnswered())));
    }
    List<String> down = new ArrayList<>();
    List<String> up = new ArrayList<>();
    servers.forEach(
        (server, seen) -> {
          if (seen.down()) {
            down.add(server + " (no answer on " + pods(seen.downOn()) + ")");
          } else {
            up.add(server);
          }
        });
    if (down.isEmpty()) {
      return Optional.of(
          condition(
              ConditionTypes.RADIUS_REACHABLE,
              Condition.TRUE,
              ConditionTypes.REASON_REACHABLE,
              "RADIUS servers answered their last exchange: " + String.join(", ", up)));
    }
    boolean anyAnswers = servers.values().stream().anyMatch(AuthHealth.Seen::upSomewhere);
    if (!anyAnswers) {
      return Optional.of(
          condition(
              ConditionTypes.RADIUS_REACHABLE,
              Condition.FALSE,
              ConditionTypes.REASON_ALL_SERVERS_DOWN,
              "no RADIUS server answers: "
                  + String.join("; ", down)
                  + "; new RADIUS logins are refused (AuthServerUnavailable), sessions already"
                  + " up stay"));
    }
    return Optional.of(
        condition(
            ConditionTypes.RADIUS_REACHABLE,
            Condition.FALSE,
            ConditionTypes.REASON_SERVER_DOWN,
            "RADIUS server down: "
                + String.join("; ", down)
                + (up.isEmpty() ? "" : "; answering: " + String.join(", ", up))
                + "; logins fail over to the servers that answer"));
  }

  /** Empty when no pod answered this round: the caller keeps the previous condition. */
  static Optional<Condition> oidc(Optional<AuthHealth> health) {
    if (health.isEmpty()) {
      return Optional.empty();
    }
    Map<String, AuthHealth.Seen> issuers = health.get().oidcIssuers();
    if (issuers.isEmpty()) {
      return Optional.of(
          condition(
              ConditionTypes.OIDC_ISSUER_REACHABLE,
              Condition.UNKNOWN,
              ConditionTypes.REASON_NOT_CHECKED,
              "no exchange with the OIDC issuer yet on " + pods(health.get().podsAnswered())));
    }
    List<String> down = new ArrayList<>();
    issuers.forEach(
        (issuer, seen) -> {
          if (seen.down()) {
            down.add(issuer + " does not answer " + pods(seen.downOn()));
          }
        });
    if (down.isEmpty()) {
      return Optional.of(
          condition(
              ConditionTypes.OIDC_ISSUER_REACHABLE,
              Condition.TRUE,
              ConditionTypes.REASON_REACHABLE,
              "OIDC issuer "
                  + String.join(", ", issuers.keySet())
                  + " answered the last discovery or key-set request"));
    }
    return Optional.of(
        condition(
            ConditionTypes.OIDC_ISSUER_REACHABLE,
            Condition.FALSE,
            ConditionTypes.REASON_ISSUER_UNREACHABLE,
            "OIDC issuer "
                + String.join("; ", down)
                + ": new OIDC logins are refused (AuthServerUnavailable), sessions already up"
                + " stay"));
  }

  private static String pods(List<String> pods) {
    return (pods.size() == 1 ? "pod " : "pods ") + String.join(", ", pods);
  }

  private static Condition condition(String type, String status, String reason, String message) {
    return new Condition(type, status, reason, message);
  }
}
