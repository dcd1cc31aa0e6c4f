package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * The peer's identity could not be verified (AUTH payload, certificate, trust): RFC 7296 §2.21.2,
 * AUTHENTICATION_FAILED. {@link #reason()} is the gateway-wide authentication reason (e.g. {@code
 * CertificateRevoked}) used in metrics and logs.
 */
public final class AuthenticationFailedException extends IkeProtocolException {
  private final String reason;

  public AuthenticationFailedException(String reason, String message) {
    super(NotifyType.AUTHENTICATION_FAILED, message);
    this.reason = reason;
  }

  @Override
  public String reason() {
    return reason;
  }
}
