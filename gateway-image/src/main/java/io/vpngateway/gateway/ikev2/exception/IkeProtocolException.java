package io.vpngateway.gateway.ikev2.exception;

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

  /** A short CamelCase name for metrics and logs. */
  public String reason() {
    return getClass().getSimpleName().replace("Exception", "");
  }
}
