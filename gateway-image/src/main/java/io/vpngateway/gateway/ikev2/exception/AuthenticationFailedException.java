package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * The peer's identity could not be verified (AUTH payload, certificate, trust): RFC 7296 §2.21.2,
 * AUTHENTICATION_FAILED. {@link #refusalReason()} is the gateway-wide reason (e.g. {@code
 * CertificateRevoked}) reported in metrics, logs and {@code GET /refusals}.
 */
public final class AuthenticationFailedException extends IkeProtocolException {
  private final RefusalReason reason;

  public AuthenticationFailedException(RefusalReason reason, String message) {
    super(NotifyType.AUTHENTICATION_FAILED, message);
    this.reason = reason;
  }

  @Override
  public RefusalReason refusalReason() {
    return reason;
  }
}
