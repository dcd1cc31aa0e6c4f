package io.vpngateway.api.openvpn;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tls-crypt-v2 server key (one {@code struct key}: 64 cipher bytes, of which AES-256-CTR uses
 * 32 as Ke, and 64 HMAC bytes, of which HMAC-SHA256 uses 32 as Ka). It wraps client keys into WKc
 * and unwraps the WKc a client sends in its first packet.
 *
 * <p>WKc = T || AES-256-CTR(Ke, IV = T[0..16), Kc || metadata) || len, where len is the 16-bit
 * big-endian length of the whole WKc and T = HMAC-SHA256(Ka, len || Kc || metadata). See openvpn
 * {@code doc/tls-crypt-v2.txt} and {@code tls_crypt.c: tls_crypt_v2_wrap_client_key}.
 */
public final class TlsCryptV2ServerKey {
  public static final int LENGTH = 128;
  /** openvpn's TLS_CRYPT_V2_MAX_WKC_LEN. */
  public static final int MAX_WKC_LENGTH = 1024;

  static final int TAG_LENGTH = 32;
  static final String LABEL = "OpenVPN tls-crypt-v2 server key";
  private final byte[] bytes;

  private TlsCryptV2ServerKey(byte[] bytes) {
    this.bytes = bytes;
  }

  public static TlsCryptV2ServerKey generate(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new TlsCryptV2ServerKey(b);
  }

  public static TlsCryptV2ServerKey parse(String pem) throws OpenVpnKeyFormatException {
    byte[] raw = decodeBase64(String.join("", Pem.body(pem, LABEL)));
    if (raw.length != LENGTH) {
      throw new OpenVpnKeyFormatException(
          "tls-crypt-v2 server key must be 128 bytes, got " + raw.length);
    }
    return new TlsCryptV2ServerKey(raw);
  }

  public String toPem() {
    return armour(LABEL, bytes);
  }

  /**
   * Wraps {@code clientKey} with {@code metadata} into a complete client key (Kc || WKc).
   *
   * @param metadata the metadata, starting with its type byte
   */
  public TlsCryptV2ClientKey wrap(OpenVpnStaticKey clientKey, TlsCryptV2Metadata metadata) {
    byte[] meta = metadata.encoded();
    int wkcLength = TAG_LENGTH + OpenVpnStaticKey.LENGTH + meta.length + 2;
    if (wkcLength > MAX_WKC_LENGTH) {
      throw new IllegalArgumentException("metadata too long: " + meta.length + " bytes");
    }
    byte[] plain = new byte[OpenVpnStaticKey.LENGTH + meta.length];
    System.arraycopy(clientKey.bytes(), 0, plain, 0, OpenVpnStaticKey.LENGTH);
    System.arraycopy(meta, 0, plain, OpenVpnStaticKey.LENGTH, meta.length);
    byte[] len = {(byte) (wkcLength >>> 8), (byte) wkcLength};
    try {
      byte[] tag = hmac(len, plain);
      byte[] enc = ctr(tag, plain);
      ByteBuffer wkc = ByteBuffer.allocate(wkcLength);
      wkc.put(tag).put(enc).put(len);
      return new TlsCryptV2ClientKey(clientKey, wkc.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES-CTR or HMAC-SHA256", e);
    }
  }

  /** Unwraps and authenticates a WKc; the MAC is compared in constant time. */
  public Unwrapped unwrap(byte[] wkc) throws OpenVpnKeyFormatException {
    int min = TAG_LENGTH + OpenVpnStaticKey.LENGTH + 1 + 2;
    if (wkc.length < min || wkc.length > MAX_WKC_LENGTH) {
      throw new OpenVpnKeyFormatException("WKc length " + wkc.length + " out of range");
    }
    int declared = ((wkc[wkc.length - 2] & 0xff) << 8) | (wkc[wkc.length - 1] & 0xff);
    if (declared != wkc.length) {
      throw new OpenVpnKeyFormatException("WKc length field does not match");
    }
    byte[] tag = Arrays.copyOfRange(wkc, 0, TAG_LENGTH);
    byte[] enc = Arrays.copyOfRange(wkc, TAG_LENGTH, wkc.length - 2);
    byte[] len = Arrays.copyOfRange(wkc, wkc.length - 2, wkc.length);
    try {
      byte[] plain = ctr(tag, enc);
      if (!MessageDigest.isEqual(tag, hmac(len, plain))) {
        throw new OpenVpnKeyFormatException("WKc authentication failed");
      }
      OpenVpnStaticKey key = OpenVpnStaticKey.of(Arrays.copyOf(plain, OpenVpnStaticKey.LENGTH));
      TlsCryptV2Metadata meta =
          TlsCryptV2Metadata.decode(
              Arrays.copyOfRange(plain, OpenVpnStaticKey.LENGTH, plain.length));
      return new Unwrapped(key, meta);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES-CTR or HMAC-SHA256", e);
    }
  }

  /** A client key recovered from a WKc. */
  public record Unwrapped(OpenVpnStaticKey clientKey, TlsCryptV2Metadata metadata) {}

  private byte[] hmac(byte[] len, byte[] plain) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(bytes, 64, 32, "HmacSHA256"));
    mac.update(len);
    mac.update(plain);
    return mac.doFinal();
  }

  private byte[] ctr(byte[] tag, byte[] in) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
    c.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(bytes, 0, 32, "AES"),
        new IvParameterSpec(tag, 0, 16));
    return c.doFinal(in);
  }

  static byte[] decodeBase64(String s) throws OpenVpnKeyFormatException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new OpenVpnKeyFormatException("key body is not valid base64");
    }
  }

  static String armour(String label, byte[] raw) {
    String b64 = Base64.getEncoder().encodeToString(raw);
    StringBuilder sb = new StringBuilder(Pem.begin(label)).append('\n');
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return sb.append(Pem.end(label)).append('\n').toString();
  }

  @Override
  public String toString() {
    return "TlsCryptV2ServerKey[redacted]";
  }
}
