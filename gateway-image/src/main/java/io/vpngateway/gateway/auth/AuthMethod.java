package io.vpngateway.gateway.auth;

/** How a client proved who it is; {@link #label()} is what sessions and logs show. */
public enum AuthMethod {
  /** A client certificate (built-in CA or a trusted root). */
  CERTIFICATE("certificate"),
  /** User name and password, or EAP, checked by a RADIUS server. */
  RADIUS("radius"),
  /** An OpenID Connect token (as a password, or from web authentication). */
  OIDC("oidc"),
  /** One of our own auth tokens, issued after a full authentication (reconnect, other replica). */
  AUTH_TOKEN("auth-token");

  private final String label;

  AuthMethod(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
