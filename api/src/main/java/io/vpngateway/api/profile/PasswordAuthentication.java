package io.vpngateway.api.profile;

/** Whether the gateway asks clients for a username/password or token besides the certificate. */
public enum PasswordAuthentication {
  /** Certificate only. */
  NONE,
  /** RADIUS: OpenVPN auth-user-pass, IKEv2 EAP-MSCHAPv2, SSTP MS-CHAPv2. */
  RADIUS,
  /** OpenID Connect: the token (or web SSO) as the OpenVPN password; not offered for IKEv2/SSTP. */
  OIDC
}
