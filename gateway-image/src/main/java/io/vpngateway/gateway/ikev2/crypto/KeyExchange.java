package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;

/**
 * One side of one Diffie-Hellman exchange (RFC 7296 §1.2, §2.14): our ephemeral public value for
 * the KE payload and, given the peer's, the shared secret {@code g^ir}. Used once, then dropped.
 */
public interface KeyExchange {
  DhGroup group();

  /** Our public value, in the group's KE payload format. */
  byte[] publicValue();

  /**
   * The shared secret with the peer's public value, after checking that value (right length, a
   * valid group element, not a small-order point).
   *
   * @throws InvalidKePayloadException when the peer's value is unacceptable (RFC 7296 §1.2)
   */
  byte[] sharedSecret(byte[] peerPublicValue) throws InvalidKePayloadException;
}
