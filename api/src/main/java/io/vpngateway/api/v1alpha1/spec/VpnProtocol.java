package io.vpngateway.api.v1alpha1.spec;

/** Client-facing tunnel protocols. */
public enum VpnProtocol {
  OpenVPN,
  IKEv2,
  SSTP
}
