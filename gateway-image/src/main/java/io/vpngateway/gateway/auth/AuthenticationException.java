package io.vpngateway.gateway.auth;

/**
 * A client failed authentication. {@link #reason()} is the typed cause every protocol reports the
 * same way (see {@link RefusalReason}); the message is for the log and never contains a secret.
 */
public final class AuthenticationException extends Exception {
  private final RefusalReason reason;

  public AuthenticationException(RefusalReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public AuthenticationException(RefusalReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public RefusalReason reason() {
    return reason;
  }
}
