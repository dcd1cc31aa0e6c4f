package io.vpngateway.operator.render;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The client-facing ports of a gateway, by protocol: OpenVPN UDP 1194 and TCP 443, IKEv2 UDP 500
 * and 4500 (NAT traversal, RFC 3948), SSTP TCP 443. OpenVPN-over-TCP and SSTP share one TCP port:
 * the gateway tells them apart by the first bytes, so the port appears once.
 */
public final class GatewayPorts {
  public static final String OPENVPN_UDP = "openvpn-udp";
  public static final String TLS_TCP = "tls-tcp";
  public static final String IKE = "ike";
  public static final String IKE_NAT_T = "ike-natt";
  public static final String MANAGEMENT = "management";
  public static final String HEALTH = "health";
  public static final String OIDC_SIGN_IN = "oidc-sign-in";

  /** A named port with its IP protocol ({@code TCP} or {@code UDP}). */
  public record Port(String name, String protocol, int port) {}

  private GatewayPorts() {}

  /** The ports clients connect to, in a stable order (Service and container ports). */
  public static List<Port> clientPorts(GatewayConfig config) {
    GatewayConfig.Listen listen = config.listen();
    Set<VpnProtocol> protocols = config.enabledProtocols();
    List<Port> ports = new ArrayList<>();
    if (protocols.contains(VpnProtocol.OpenVPN)) {
      ports.add(new Port(OPENVPN_UDP, "UDP", listen.openvpnUdp()));
    }
    if (protocols.contains(VpnProtocol.OpenVPN) || protocols.contains(VpnProtocol.SSTP)) {
      int tcp = protocols.contains(VpnProtocol.OpenVPN) ? listen.openvpnTcp() : listen.sstp();
      ports.add(new Port(TLS_TCP, "TCP", tcp));
    }
    if (protocols.contains(VpnProtocol.IKEv2)) {
      ports.add(new Port(IKE, "UDP", listen.ike()));
      ports.add(new Port(IKE_NAT_T, "UDP", listen.ikeNatT()));
    }
    return ports;
  }

  /**
   * The HTTPS web sign-in endpoint (OIDC with a client id), exposed by the Service only. It is not
   * a container port: turning web sign-in on or moving its port is a config reload, and a change
   * of the pod template would roll the pods.
   */
  public static java.util.Optional<Port> signIn(GatewayConfig config) {
    GatewayConfig.Oidc oidc =
        config.authentication() == null ? null : config.authentication().oidc();
    if (oidc == null || !oidc.webSignIn() || !config.protocols().contains("OpenVPN")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new Port(OIDC_SIGN_IN, "TCP", oidc.effectiveCallbackPort()));
  }

  /**
   * The management API port (TLS: metrics, sessions); never exposed by the Service, and the
   * gateway's NetworkPolicy admits only the operator's pods to it.
   */
  public static Port management(GatewayConfig config) {
    return new Port(MANAGEMENT, "TCP", config.management().port());
  }

  /** The kubelet's probes (plain HTTP, up/ready only); never exposed by the Service. */
  public static Port health(GatewayConfig config) {
    return new Port(HEALTH, "TCP", config.management().healthPort());
  }
}
