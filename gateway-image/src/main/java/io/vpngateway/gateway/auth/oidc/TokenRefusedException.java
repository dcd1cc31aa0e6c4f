package io.vpngateway.gateway.auth.oidc;

/** A token failed one check; {@link #refusal()} says which. The message never holds the token. */
public final class TokenRefusedException extends Exception {
  private final TokenRefusal refusal;

  public TokenRefusedException(TokenRefusal refusal, String message) {
    super(message);
    this.refusal = refusal;
  }

  public TokenRefusedException(TokenRefusal refusal, String message, Throwable cause) {
    super(message, cause);
    this.refusal = refusal;
  }

  public TokenRefusal refusal() {
    return refusal;
  }
}
