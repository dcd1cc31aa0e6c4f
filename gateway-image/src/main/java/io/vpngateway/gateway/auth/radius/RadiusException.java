package io.vpngateway.gateway.auth.radius;

/**
 * No RADIUS server gave a usable answer. {@link #reason()} is a CamelCase code for metrics and the
 * client's refusal ({@code RadiusUnavailable}); the message names each server tried and what went
 * wrong with it (timed out, replies with a bad authenticator: "wrong shared secret?"), never a
 * secret.
 */
public final class RadiusException extends Exception {
  public static final String UNAVAILABLE = "RadiusUnavailable";

  private final String reason;

  public RadiusException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
