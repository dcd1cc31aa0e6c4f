package io.vpngateway.api.profile;

/** The client-facing protocols a profile can be rendered for. */
public enum TunnelProtocol {
  OPENVPN,
  IKEV2,
  SSTP
}
