package io.vpngateway.gateway.ikev2.crypto;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The keys of an IKE SA, RFC 7296 §2.14:
 *
 * <pre>
 * SKEYSEED = prf(Ni | Nr, g^ir)                            (new IKE SA)
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)          (rekeyed IKE SA, §2.18)
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * </pre>
 *
 * With an AEAD cipher SK_ai and SK_ar are empty and SK_e includes the 4-octet salt (RFC 5282 §7.1).
 */
public record IkeSaKeys(
    byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) {

  /** SKEYSEED of a new IKE SA. */
  public static byte[] skeyseed(PrfAlgorithm prf, byte[] ni, byte[] nr, byte[] sharedSecret) {
    return prf.prf(concat(ni, nr), sharedSecret);
  }

  /** SKEYSEED of an IKE SA that rekeys one whose SK_d is {@code oldSkD}. */
  public static byte[] rekeySkeyseed(
      PrfAlgorithm prf, byte[] oldSkD, byte[] sharedSecret, byte[] ni, byte[] nr) {
    return prf.prf(oldSkD, sharedSecret, ni, nr);
  }

  /** Expands SKEYSEED into the seven keys for {@code suite}. */
  public static IkeSaKeys derive(
      IkeSuite suite, byte[] skeyseed, byte[] ni, byte[] nr, long spiI, long spiR) {
    PrfAlgorithm prf = suite.prf();
    int d = prf.outputLength();
    int a = suite.integrity() == null ? 0 : suite.integrity().keyLength();
    int e = suite.encryption().keyMaterialLength(suite.keyBits());
    int p = prf.outputLength();
    byte[] seed =
        ByteBuffer.allocate(ni.length + nr.length + 16).put(ni).put(nr).putLong(spiI).putLong(spiR)
            .array();
    byte[] km = prf.prfPlus(skeyseed, seed, d + 2 * a + 2 * e + 2 * p);
    int at = 0;
    byte[] skD = Arrays.copyOfRange(km, at, at += d);
    byte[] skAi = Arrays.copyOfRange(km, at, at += a);
    byte[] skAr = Arrays.copyOfRange(km, at, at += a);
    byte[] skEi = Arrays.copyOfRange(km, at, at += e);
    byte[] skEr = Arrays.copyOfRange(km, at, at += e);
    byte[] skPi = Arrays.copyOfRange(km, at, at += p);
    byte[] skPr = Arrays.copyOfRange(km, at, at + p);
    Arrays.fill(km, (byte) 0);
    return new IkeSaKeys(skD, skAi, skAr, skEi, skEr, skPi, skPr);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Never print key material. */
  @Override
  public String toString() {
    return "IkeSaKeys[redacted]";
  }
}
