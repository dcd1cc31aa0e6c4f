package io.vpngateway.gateway.auth;

/**
 * A client failed authentication. {@link #reason()} is a short CamelCase code used in metrics
 * labels and in the protocol's failure message (e.g. OpenVPN {@code AUTH_FAILED,<reason>}); the
 * message is for the log and never contains a secret.
 */
public final class AuthenticationException extends Exception {
  private final String reason;

  public AuthenticationException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public AuthenticationException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
