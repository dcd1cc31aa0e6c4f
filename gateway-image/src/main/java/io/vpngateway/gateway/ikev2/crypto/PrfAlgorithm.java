package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Transform;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pseudorandom functions of IKEv2 (transform type 2), RFC 7296 §2.13 with the HMAC PRFs of RFC
 * 2104 and RFC 4868: {@link #prf} and the key expansion {@link #prfPlus}.
 */
public enum PrfAlgorithm {
  HMAC_SHA1(Transform.PRF_HMAC_SHA1, "HmacSHA1", 20),
  HMAC_SHA2_256(Transform.PRF_HMAC_SHA2_256, "HmacSHA256", 32),
  HMAC_SHA2_384(Transform.PRF_HMAC_SHA2_384, "HmacSHA384", 48),
  HMAC_SHA2_512(Transform.PRF_HMAC_SHA2_512, "HmacSHA512", 64);

  private final int transformId;
  private final String jcaName;
  private final int outputLength;

  PrfAlgorithm(int transformId, String jcaName, int outputLength) {
    this.transformId = transformId;
    this.jcaName = jcaName;
    this.outputLength = outputLength;
  }

  public static Optional<PrfAlgorithm> byTransformId(int id) {
    for (PrfAlgorithm a : values()) {
      if (a.transformId == id) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  public int transformId() {
    return transformId;
  }

  /** Output length in octets; also the length of SK_d, SK_pi and SK_pr (§2.14). */
  public int outputLength() {
    return outputLength;
  }

  /** A MAC keyed with {@code key}, ready for any number of computations by one thread. */
  public Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(jcaName);
      // HMAC zero-pads short keys (RFC 2104 §2), so an empty key, which the JCA refuses, is the
      // same key as one zero octet
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jcaName));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(jcaName + " is not available", e);
    }
  }

  /**
   * This thread's MAC ({@link JcaInstances}) keyed with {@code key}, for one computation that ends
   * before the method that asked for it returns.
   */
  private Mac threadMac(byte[] key) {
    try {
      Mac mac = JcaInstances.mac(jcaName);
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jcaName));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(jcaName + " is not available", e);
    }
  }

  /** {@code prf(key, data...)}: the HMAC of the concatenated parts. */
  public byte[] prf(byte[] key, byte[]... data) {
    Mac mac = threadMac(key);
    for (byte[] d : data) {
      mac.update(d);
    }
    return mac.doFinal();
  }

  /**
   * {@code prf+(K, S)} truncated to {@code length} octets, RFC 7296 §2.13: {@code T1 = prf(K, S |
   * 0x01)}, {@code Tn = prf(K, Tn-1 | S | n)}; at most 255 blocks.
   */
  public byte[] prfPlus(byte[] key, byte[] seed, int length) {
    int blocks = (length + outputLength - 1) / outputLength;
    if (blocks > 255) {
      throw new IllegalArgumentException("prf+ cannot produce " + length + " octets");
    }
    Mac mac = threadMac(key);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    for (int n = 1, at = 0; at < length; n++) {
      mac.update(t);
      mac.update(seed);
      mac.update((byte) n);
      t = mac.doFinal();
      System.arraycopy(t, 0, out, at, Math.min(t.length, length - at));
      at += t.length;
    }
    return out;
  }

  static void checkAvailable() throws GeneralSecurityException {
    for (PrfAlgorithm a : values()) {
      Mac.getInstance(a.jcaName);
    }
  }
}
