package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * An IKE message was refused for a reason the peer is told about: the exception carries the Notify
 * error type of RFC 7296 §3.10.1 (and its notification data) that the responder puts in its answer.
 * The message is for our log only and never holds a secret.
 */
public class IkeProtocolException extends Exception {
  private final int notifyType;
  private final byte[] notifyData;

  public IkeProtocolException(int notifyType, String message) {
    this(notifyType, new byte[0], message);
  }

  public IkeProtocolException(int notifyType, byte[] notifyData, String message) {
    super(message);
    this.notifyType = notifyType;
    this.notifyData = notifyData.clone();
  }

  /** The RFC 7296 §3.10.1 error type, e.g. 7 for INVALID_SYNTAX. */
  public int notifyType() {
    return notifyType;
  }

  /** Notification data to send with the error (e.g. the group of INVALID_KE_PAYLOAD). */
  public byte[] notifyData() {
    return notifyData.clone();
  }

  /**
   * The gateway-wide refusal reason when this ends a client's admission (IKE_AUTH), as metrics,
   * logs and {@code GET /refusals} report it.
   */
  public RefusalReason refusalReason() {
    return switch (notifyType) {
      case NotifyType.NO_PROPOSAL_CHOSEN, NotifyType.INVALID_KE_PAYLOAD,
          NotifyType.TS_UNACCEPTABLE -> RefusalReason.NO_COMMON_CIPHER;
      case NotifyType.INTERNAL_ADDRESS_FAILURE -> RefusalReason.ADDRESS_POOL_EXHAUSTED;
      case NotifyType.AUTHENTICATION_FAILED -> RefusalReason.INVALID_SIGNATURE;
      default -> RefusalReason.AUTH_METHOD_NOT_SUPPORTED;
    };
  }
}
