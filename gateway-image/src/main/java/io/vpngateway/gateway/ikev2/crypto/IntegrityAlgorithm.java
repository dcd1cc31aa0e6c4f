package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.Optional;

/**
 * Integrity algorithms (transform type 3) for IKE and ESP: HMAC-SHA-1-96 (RFC 2404) and the
 * truncated HMAC-SHA-2 of RFC 4868. The ICV is the first {@link #icvLength} octets of the HMAC.
 */
public enum IntegrityAlgorithm {
  HMAC_SHA1_96(Transform.AUTH_HMAC_SHA1_96, "HmacSHA1", 20, 12),
  HMAC_SHA2_256_128(Transform.AUTH_HMAC_SHA2_256_128, "HmacSHA256", 32, 16),
  HMAC_SHA2_384_192(Transform.AUTH_HMAC_SHA2_384_192, "HmacSHA384", 48, 24),
  HMAC_SHA2_512_256(Transform.AUTH_HMAC_SHA2_512_256, "HmacSHA512", 64, 32);

  private final int transformId;
  private final String jcaName;
  private final int keyLength;
  private final int icvLength;

  IntegrityAlgorithm(int transformId, String jcaName, int keyLength, int icvLength) {
    this.transformId = transformId;
    this.jcaName = jcaName;
    this.keyLength = keyLength;
    this.icvLength = icvLength;
  }

  public static Optional<IntegrityAlgorithm> byTransformId(int id) {
    for (IntegrityAlgorithm a : values()) {
      if (a.transformId == id) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  public int transformId() {
    return transformId;
  }

  public String jcaName() {
    return jcaName;
  }

  /** Key length in octets (the hash output length, RFC 4868 §2.1.1). */
  public int keyLength() {
    return keyLength;
  }

  public int icvLength() {
    return icvLength;
  }
}
