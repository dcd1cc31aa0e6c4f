package io.vpngateway.gateway.ikev2.crypto;

import java.util.Arrays;

/**
 * The keys of a CHILD_SA, RFC 7296 §2.17:
 *
 * <pre>
 * KEYMAT = prf+(SK_d, Ni | Nr)              (no PFS)
 * KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)  (CREATE_CHILD_SA with KE)
 * </pre>
 *
 * taken in this order: the initiator-to-responder cipher key then integrity key, then the
 * responder-to-initiator ones. "Initiator" is the initiator of the exchange that created the SA.
 * With AES-GCM each cipher key is followed by its 4-octet salt (RFC 4106 §8.1).
 */
public record ChildSaKeys(
    byte[] encryptionInitiatorToResponder,
    byte[] integrityInitiatorToResponder,
    byte[] encryptionResponderToInitiator,
    byte[] integrityResponderToInitiator) {

  public static ChildSaKeys derive(
      EspSuite suite, PrfAlgorithm prf, byte[] skD, byte[] sharedSecretOrNull, byte[] ni,
      byte[] nr) {
    int e = suite.encryption().keyMaterialLength(suite.keyBits());
    int a = suite.integrity() == null ? 0 : suite.integrity().keyLength();
    byte[] seed =
        sharedSecretOrNull == null
            ? IkeSaKeys.concat(ni, nr)
            : IkeSaKeys.concat(sharedSecretOrNull, ni, nr);
    byte[] km = prf.prfPlus(skD, seed, 2 * (e + a));
    int at = 0;
    byte[] ei = Arrays.copyOfRange(km, at, at += e);
    byte[] ai = Arrays.copyOfRange(km, at, at += a);
    byte[] er = Arrays.copyOfRange(km, at, at += e);
    byte[] ar = Arrays.copyOfRange(km, at, at + a);
    Arrays.fill(km, (byte) 0);
    return new ChildSaKeys(ei, ai, er, ar);
  }

  @Override
  public String toString() {
    return "ChildSaKeys[redacted]";
  }
}
