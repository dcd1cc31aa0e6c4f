package io.vpngateway.gateway.ikev2.exception;

/**
 * An encrypted IKE message or an ESP packet failed its integrity check or could not be decrypted.
 * RFC 7296 §2.21.1 and RFC 4303 §3.4.4: such a message is dropped silently (an answer would be an
 * oracle and could be forged) and counted.
 */
public final class MessageIntegrityException extends Exception {
  public MessageIntegrityException(String message) {
    super(message);
  }
}
