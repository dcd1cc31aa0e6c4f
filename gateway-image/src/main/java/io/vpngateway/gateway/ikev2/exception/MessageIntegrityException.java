package io.vpngateway.gateway.ikev2.exception;

/**
 * An encrypted IKE message or an ESP packet failed its integrity check or could not be decrypted.
 * RFC 7296 §2.21.1 and RFC 4303 §3.4.4: such a message is dropped silently (an answer would be an
 * oracle and could be forged) and counted.
 */
public final class MessageIntegrityException extends Exception {
  private final boolean replay;

  public MessageIntegrityException(String message) {
    this(message, false);
  }

  private MessageIntegrityException(String message, boolean replay) {
    super(message);
    this.replay = replay;
  }

  /**
   * A sequence number the anti-replay window refuses (RFC 4303 §3.4.3), counted apart from a
   * failed integrity check.
   */
  public static MessageIntegrityException replay(String message) {
    return new MessageIntegrityException(message, true);
  }

  public boolean isReplay() {
    return replay;
  }
}
