package io.vpngateway.gateway.sstp.ppp.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.MD4Digest;

/**
 * The MS-CHAPv2 computations of RFC 2759 section 8 (the authenticator side needs the password
 * hash, never the password): NT-Response, the authenticator response {@code S=...}, and the
 * challenge hash both are built on. Test vectors of RFC 2759 section 9.2 are in {@code
 * MsChapV2Test}.
 */
public final class MsChapV2 {
  private static final byte[] MAGIC1 =
      "Magic server to client signing constant".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC2 =
      "Pad to make it do more than one iteration".getBytes(StandardCharsets.US_ASCII);

  private MsChapV2() {}

  /** NtPasswordHash (RFC 2759 section 8.3): MD4 of the password in UTF-16LE. */
  public static byte[] ntPasswordHash(String password) {
    return md4(password.getBytes(StandardCharsets.UTF_16LE));
  }

  /** HashNtPasswordHash (section 8.4): MD4 of the password hash. */
  public static byte[] hashNtPasswordHash(byte[] passwordHash) {
    return md4(passwordHash);
  }

  /**
   * ChallengeHash (section 8.2): the first 8 octets of SHA-1(peer challenge, authenticator
   * challenge, user name). The user name is the one in the Response packet, without any domain
   * stripping (the RFC's "UserName" is what the peer sent).
   */
  public static byte[] challengeHash(byte[] peerChallenge, byte[] authChallenge, byte[] userName) {
    MessageDigest sha1 = sha1();
    sha1.update(peerChallenge);
    sha1.update(authChallenge);
    sha1.update(userName);
    return Arrays.copyOf(sha1.digest(), 8);
  }

  /** GenerateNTResponse (section 8.1) from the password hash: 24 octets. */
  public static byte[] ntResponse(
      byte[] authChallenge, byte[] peerChallenge, byte[] userName, byte[] passwordHash) {
    return challengeResponse(challengeHash(peerChallenge, authChallenge, userName), passwordHash);
  }

  /** ChallengeResponse (section 8.5): the challenge DES-encrypted under three 7-octet keys. */
  public static byte[] challengeResponse(byte[] challenge, byte[] passwordHash) {
    byte[] z = Arrays.copyOf(passwordHash, 21);
    byte[] out = new byte[24];
    try {
      for (int i = 0; i < 3; i++) {
        byte[] block = desEncrypt(challenge, Arrays.copyOfRange(z, i * 7, i * 7 + 7));
        System.arraycopy(block, 0, out, i * 8, 8);
      }
      return out;
    } finally {
      Arrays.fill(z, (byte) 0);
    }
  }

  /**
   * GenerateAuthenticatorResponse (section 8.7): the 42-character {@code S=<40 hex>} a server that
   * knows the password hash sends in its Success packet.
   */
  public static String authenticatorResponse(
      byte[] passwordHash,
      byte[] ntResponse,
      byte[] peerChallenge,
      byte[] authChallenge,
      byte[] userName) {
    byte[] hashHash = hashNtPasswordHash(passwordHash);
    try {
      MessageDigest sha1 = sha1();
      sha1.update(hashHash);
      sha1.update(ntResponse);
      sha1.update(MAGIC1);
      byte[] digest = sha1.digest();
      sha1.update(digest);
      sha1.update(challengeHash(peerChallenge, authChallenge, userName));
      sha1.update(MAGIC2);
      return "S=" + HexFormat.of().withUpperCase().formatHex(sha1.digest());
    } finally {
      Arrays.fill(hashHash, (byte) 0);
    }
  }

  /** Constant-time comparison of two NT-Responses (or any two secrets of equal meaning). */
  public static boolean matches(byte[] expected, byte[] received) {
    return MessageDigest.isEqual(expected, received);
  }

  /** Constant-time, case-insensitive comparison of two {@code S=...} authenticator responses. */
  public static boolean authenticatorResponseMatches(String expected, String received) {
    if (received == null || received.length() < expected.length()) {
      return false;
    }
    byte[] a = expected.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    byte[] b =
        received
            .substring(0, expected.length())
            .toUpperCase(Locale.ROOT)
            .getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(a, b);
  }

  static byte[] md4(byte[] data) {
    MD4Digest md4 = new MD4Digest();
    md4.update(data, 0, data.length);
    byte[] out = new byte[16];
    md4.doFinal(out, 0);
    return out;
  }

  static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is mandatory in every JDK", e);
    }
  }

  /** DES-ECB of one block, the 56-bit key spread over 8 octets (parity bits left as zero). */
  private static byte[] desEncrypt(byte[] block, byte[] key7) {
    byte[] key8 = new byte[8];
    key8[0] = (byte) (key7[0] & 0xfe);
    key8[1] = (byte) (((key7[0] << 7) | ((key7[1] & 0xff) >>> 1)) & 0xfe);
    key8[2] = (byte) (((key7[1] << 6) | ((key7[2] & 0xff) >>> 2)) & 0xfe);
    key8[3] = (byte) (((key7[2] << 5) | ((key7[3] & 0xff) >>> 3)) & 0xfe);
    key8[4] = (byte) (((key7[3] << 4) | ((key7[4] & 0xff) >>> 4)) & 0xfe);
    key8[5] = (byte) (((key7[4] << 3) | ((key7[5] & 0xff) >>> 5)) & 0xfe);
    key8[6] = (byte) (((key7[5] << 2) | ((key7[6] & 0xff) >>> 6)) & 0xfe);
    key8[7] = (byte) ((key7[6] << 1) & 0xfe);
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key8, "DES"));
      return des.doFinal(block, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES is available in every JDK", e);
    } finally {
      Arrays.fill(key8, (byte) 0);
    }
  }
}
