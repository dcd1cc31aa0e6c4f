package io.vpngateway.gateway.session;

/** The client-facing protocols a gateway serves. Names match the CR's {@code spec.protocols}. */
public enum Protocol {
  OPENVPN("OpenVPN"),
  IKEV2("IKEv2"),
  SSTP("SSTP");

  private final String crName;

  Protocol(String crName) {
    this.crName = crName;
  }

  /** The spelling used in the VpnGateway CR and in metrics labels. */
  public String crName() {
    return crName;
  }
}
