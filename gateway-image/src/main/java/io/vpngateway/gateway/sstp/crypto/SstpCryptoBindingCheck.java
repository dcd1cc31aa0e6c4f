package io.vpngateway.gateway.sstp.crypto;

import io.vpngateway.gateway.sstp.message.SstpCryptoBinding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's check of the client's Crypto Binding attribute (MS-SSTP section 3.3.5.2.3, with the
 * key and MAC of sections 3.2.5.2.1 and 3.2.5.2.2): the nonce must be the one the server sent, the
 * certificate hash must be the hash of the server's own certificate (a man in the middle who
 * terminated the client's TLS with another certificate fails here), and the Compound MAC must be
 * the HMAC, keyed with the CMK derived from the PPP authentication keys (HLAK), of the whole Call
 * Connected message with the MAC field zeroed (a relay of PPP authentication from another medium
 * fails here: it cannot know the HLAK).
 *
 * <pre>
 *   CMK  = HMAC(HLAK, "SSTP inner method derived CMK" | LE16(hash length) | 0x01)
 *   CMAC = HMAC(CMK, Call Connected message with the Compound MAC field zeroed)
 * </pre>
 */
public final class SstpCryptoBindingCheck {
  static final byte[] CMK_SEED =
      "SSTP inner method derived CMK".getBytes(StandardCharsets.US_ASCII);

  /** Why a binding was refused; the caller aborts the call with it (and counts it). */
  public enum Failure {
    NONCE_MISMATCH,
    HASH_PROTOCOL_NOT_OFFERED,
    CERTIFICATE_HASH_MISMATCH,
    COMPOUND_MAC_MISMATCH
  }

  private final byte[] certificateSha1;
  private final byte[] certificateSha256;

  /** @param serverCertificate the leaf certificate this server presented in the TLS handshake */
  public SstpCryptoBindingCheck(X509Certificate serverCertificate) {
    try {
      byte[] der = serverCertificate.getEncoded();
      this.certificateSha1 = MessageDigest.getInstance("SHA-1").digest(der);
      this.certificateSha256 = MessageDigest.getInstance("SHA-256").digest(der);
    } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the server certificate", e);
    }
  }

  /** The server certificate's hash under {@code protocol}. */
  public byte[] certificateHash(SstpHashProtocol protocol) {
    return (protocol == SstpHashProtocol.SHA1 ? certificateSha1 : certificateSha256).clone();
  }

  /**
   * Checks {@code binding}, which arrived in {@code callConnected} (the whole SSTP packet as
   * received); returns null when it is valid, else why not.
   *
   * @param offered the Hash Protocol Bitmask this server sent in its Crypto Binding Request
   * @param nonce the nonce this server sent
   * @param hlak the server's HLAK (32 octets; zeros when PPP authentication produced no keys)
   */
  public Failure check(
      SstpCryptoBinding binding, byte[] callConnected, int offered, byte[] nonce, byte[] hlak) {
    if (!MessageDigest.isEqual(binding.nonce(), nonce)) {
      return Failure.NONCE_MISMATCH;
    }
    SstpHashProtocol protocol = binding.hashProtocol();
    if ((offered & protocol.bit()) == 0) {
      return Failure.HASH_PROTOCOL_NOT_OFFERED;
    }
    if (!MessageDigest.isEqual(binding.certificateHash(), certificateHash(protocol))) {
      return Failure.CERTIFICATE_HASH_MISMATCH;
    }
    byte[] zeroed = callConnected.clone();
    int macAt = binding.compoundMacOffset();
    Arrays.fill(zeroed, macAt, macAt + SstpCryptoBinding.MAC_FIELD_LENGTH, (byte) 0);
    byte[] expected = compoundMac(protocol, hlak, zeroed);
    if (!MessageDigest.isEqual(binding.compoundMac(), expected)) {
      return Failure.COMPOUND_MAC_MISMATCH;
    }
    return null;
  }

  /** CMK (MS-SSTP section 3.2.5.2.2): the key of the Compound MAC, from the HLAK. */
  public static byte[] compoundMacKey(SstpHashProtocol protocol, byte[] hlak) {
    Mac mac = hmac(protocol, hlak);
    mac.update(CMK_SEED);
    mac.update((byte) protocol.length());
    mac.update((byte) (protocol.length() >>> 8));
    mac.update((byte) 0x01);
    return mac.doFinal();
  }

  /** The Compound MAC over {@code message} (its MAC field already zeroed). */
  public static byte[] compoundMac(SstpHashProtocol protocol, byte[] hlak, byte[] message) {
    byte[] cmk = compoundMacKey(protocol, hlak);
    try {
      return hmac(protocol, cmk).doFinal(message);
    } finally {
      Arrays.fill(cmk, (byte) 0);
    }
  }

  private static Mac hmac(SstpHashProtocol protocol, byte[] key) {
    try {
      Mac mac = Mac.getInstance(protocol.hmacAlgorithm());
      mac.init(new SecretKeySpec(key, protocol.hmacAlgorithm()));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(protocol.hmacAlgorithm() + " is in every JDK", e);
    }
  }
}
