package io.vpngateway.gateway.openvpn.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TLS 1.0 PRF (RFC 2246 section 5: P_MD5(S1, seed) XOR P_SHA1(S2, seed)), which OpenVPN uses
 * for key-method 2 when the peers do not agree on tls-ekm (openvpn {@code crypto.c:
 * openvpn_PRF}, {@code ssl.c: generate_key_expansion_openvpn_prf}). MD5 and SHA-1 appear here only
 * because the wire protocol fixes them; the inputs are TLS-protected secrets.
 */
public final class Tls1Prf {
  private Tls1Prf() {}

  public static byte[] prf(byte[] secret, byte[] seed, int length) {
    int half = (secret.length + 1) / 2;
    byte[] out = pHash("HmacMD5", secret, 0, half, seed, length);
    byte[] sha = pHash("HmacSHA1", secret, secret.length - half, half, seed, length);
    for (int i = 0; i < length; i++) {
      out[i] ^= sha[i];
    }
    return out;
  }

  private static byte[] pHash(
      String alg, byte[] secret, int off, int len, byte[] seed, int length) {
    try {
      Mac mac = Mac.getInstance(alg);
      mac.init(new SecretKeySpec(secret, off, len, alg));
      byte[] out = new byte[length];
      byte[] a = seed;
      int pos = 0;
      while (pos < length) {
        a = mac.doFinal(a);
        mac.update(a);
        byte[] chunk = mac.doFinal(seed);
        int n = Math.min(chunk.length, length - pos);
        System.arraycopy(chunk, 0, out, pos, n);
        pos += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + alg, e);
    }
  }
}
