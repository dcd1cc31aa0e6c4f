package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.Optional;

/**
 * Encryption algorithms (transform type 1) this gateway implements, for IKE and ESP: AES-CBC (RFC
 * 3602) and AES-GCM with a 16-octet ICV (RFC 4106 for ESP, RFC 5282 for IKE), with 128, 192 or
 * 256-bit keys given by the Key Length attribute.
 */
public enum EncryptionAlgorithm {
  AES_CBC(Transform.ENCR_AES_CBC, false),
  AES_GCM_16(Transform.ENCR_AES_GCM_16, true);

  private final int transformId;
  private final boolean aead;

  EncryptionAlgorithm(int transformId, boolean aead) {
    this.transformId = transformId;
    this.aead = aead;
  }

  public static Optional<EncryptionAlgorithm> byTransformId(int id) {
    for (EncryptionAlgorithm a : values()) {
      if (a.transformId == id) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  public int transformId() {
    return transformId;
  }

  /** Combined mode: no separate integrity transform (RFC 7296 §3.3.3). */
  public boolean isAead() {
    return aead;
  }

  /** Whether {@code bits} is a key length this algorithm takes. */
  public static boolean validKeyLength(int bits) {
    return bits == 128 || bits == 192 || bits == 256;
  }

  /**
   * Octets of keying material per direction: the AES key, plus the 4-octet salt for GCM (RFC 4106
   * §8.1, RFC 5282 §7.1).
   */
  public int keyMaterialLength(int keyBits) {
    return keyBits / 8 + (aead ? 4 : 0);
  }

  /** Explicit IV in each packet: 16 octets for CBC, 8 for GCM. */
  public int ivLength() {
    return aead ? 8 : 16;
  }
}
