package io.vpngateway.gateway.ikev2.message;

/**
 * Where an Encrypted and Authenticated payload (SK, RFC 7296 §3.14) or an Encrypted Fragment
 * payload (SKF, RFC 7383 §2.5) sits in a received message. It is a view of the message's bytes,
 * not a copy: the crypto layer checks and decrypts {@code [contentOffset, contentOffset +
 * contentLength)} (IV, ciphertext and ICV), authenticating everything before it as well.
 *
 * @param type {@link PayloadType#SK} or {@link PayloadType#SKF}
 * @param firstInnerPayload the type of the first payload inside (0 in non-first fragments)
 * @param fragmentNumber 1-based fragment number (1 for SK)
 * @param totalFragments number of fragments of the message (1 for SK)
 * @param contentOffset index in the message of the IV
 * @param contentLength octets of IV + ciphertext + ICV
 */
public record EncryptedPayload(
    int type,
    int firstInnerPayload,
    int fragmentNumber,
    int totalFragments,
    int contentOffset,
    int contentLength) {

  public boolean isFragment() {
    return type == PayloadType.SKF;
  }
}
