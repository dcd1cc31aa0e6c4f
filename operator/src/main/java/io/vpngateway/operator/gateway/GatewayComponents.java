package io.vpngateway.operator.gateway;

/**
 * Values of {@code app.kubernetes.io/component} on a gateway's objects; each dependent's informer
 * selects its own component, so it caches only its objects.
 */
public final class GatewayComponents {
  public static final String CA = "ca";
  public static final String SERVER_TLS = "server-tls";
  public static final String CRL = "crl";
  public static final String CONFIG = "config";
  public static final String GATEWAY = "gateway";

  private GatewayComponents() {}
}
