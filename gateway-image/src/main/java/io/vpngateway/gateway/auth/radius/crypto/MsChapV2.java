package io.vpngateway.gateway.auth.radius.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.MD4Digest;

/**
 * MS-CHAPv2 (RFC 2759 section 8) and its MPPE key derivation (RFC 3079 section 3), computed by the
 * gateway on behalf of a client that only gave it a password (OpenVPN auth-user-pass), and by test
 * peers. The gateway sends the NT-Response in MS-CHAP2-Response and checks the server's
 * authenticator response from MS-CHAP2-Success, so a server that does not know the password cannot
 * pretend to have accepted it.
 *
 * <p>Example (RFC 2759 section 9.2 vectors are in the unit test):
 *
 * <pre>{@code
 * byte[] nt = MsChapV2.ntResponse(authChallenge, peerChallenge, "User", "clientPass");
 * String expected = MsChapV2.authenticatorResponse("clientPass", nt, peerChallenge, authChallenge,
 *     "User");                                   // "S=407A5589115FD0D6209F510FE9C04566932CDA56"
 * }</pre>
 */
public final class MsChapV2 {
  private static final byte[] MAGIC1 =
      "Magic server to client signing constant".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC2 =
      "Pad to make it do more than one iteration".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MASTER_MAGIC =
      "This is the MPPE Master Key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_MAGIC_CLIENT_SEND =
      ("On the client side, this is the send key; on the server side, it is the receive key.")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_MAGIC_CLIENT_RECEIVE =
      ("On the client side, this is the receive key; on the server side, it is the send key.")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHS_PAD1 = new byte[40];
  private static final byte[] SHS_PAD2 = filled(40, (byte) 0xf2);

  private MsChapV2() {}

  /** NtPasswordHash: MD4 of the password in UTF-16LE (RFC 2759 section 8.3). */
  public static byte[] ntPasswordHash(String password) {
    return md4(password.getBytes(StandardCharsets.UTF_16LE));
  }

  /** ChallengeHash: the first 8 octets of SHA-1(peer challenge + authenticator challenge + user). */
  public static byte[] challengeHash(
      byte[] peerChallenge, byte[] authenticatorChallenge, String userName) {
    MessageDigest sha1 = sha1();
    sha1.update(peerChallenge);
    sha1.update(authenticatorChallenge);
    sha1.update(userName.getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(sha1.digest(), 8);
  }

  /** GenerateNTResponse (RFC 2759 section 8.1): 24 octets. */
  public static byte[] ntResponse(
      byte[] authenticatorChallenge, byte[] peerChallenge, String userName, String password) {
    byte[] hash = ntPasswordHash(password);
    try {
      return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), hash);
    } finally {
      Arrays.fill(hash, (byte) 0);
    }
  }

  /** ChallengeResponse (section 8.5): three DES encryptions of the challenge, keyed by the hash. */
  static byte[] challengeResponse(byte[] challenge, byte[] passwordHash) {
    byte[] z = Arrays.copyOf(passwordHash, 21);
    byte[] out = new byte[24];
    for (int i = 0; i < 3; i++) {
      byte[] block = desEncrypt(challenge, Arrays.copyOfRange(z, i * 7, i * 7 + 7));
      System.arraycopy(block, 0, out, i * 8, 8);
    }
    Arrays.fill(z, (byte) 0);
    return out;
  }

  /**
   * GenerateAuthenticatorResponse (section 8.7): the {@code S=<40 hex digits>} string a server
   * that knows the password returns.
   */
  public static String authenticatorResponse(
      String password,
      byte[] ntResponse,
      byte[] peerChallenge,
      byte[] authenticatorChallenge,
      String userName) {
    byte[] hash = ntPasswordHash(password);
    byte[] hashHash = md4(hash);
    MessageDigest sha1 = sha1();
    sha1.update(hashHash);
    sha1.update(ntResponse);
    sha1.update(MAGIC1);
    byte[] digest = sha1.digest();
    sha1.update(digest);
    sha1.update(challengeHash(peerChallenge, authenticatorChallenge, userName));
    sha1.update(MAGIC2);
    digest = sha1.digest();
    Arrays.fill(hash, (byte) 0);
    Arrays.fill(hashHash, (byte) 0);
    return "S=" + HexFormat.of().withUpperCase().formatHex(digest);
  }

  /**
   * Whether {@code received} (the text after the ident octet of MS-CHAP2-Success, e.g. {@code
   * S=407A...56 M=Welcome}) starts with the expected authenticator response; hex case is ignored
   * and the comparison is constant-time.
   */
  public static boolean authenticatorResponseMatches(String expected, String received) {
    if (received == null || received.length() < 42) {
      return false;
    }
    byte[] a = expected.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    byte[] b =
        received.substring(0, 42).toUpperCase(java.util.Locale.ROOT)
            .getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(a, b);
  }

  /** GetMasterKey (RFC 3079 section 3.4): 16 octets from the password hash hash and NT-Response. */
  public static byte[] masterKey(String password, byte[] ntResponse) {
    byte[] hash = ntPasswordHash(password);
    byte[] hashHash = md4(hash);
    MessageDigest sha1 = sha1();
    sha1.update(hashHash);
    sha1.update(ntResponse);
    sha1.update(MASTER_MAGIC);
    Arrays.fill(hash, (byte) 0);
    Arrays.fill(hashHash, (byte) 0);
    return Arrays.copyOf(sha1.digest(), 16);
  }

  /**
   * GetAsymmetricStartKey (RFC 3079 section 3.4): the 16-octet send or receive start key of the
   * client ({@code server == false}) or the server.
   */
  public static byte[] asymmetricStartKey(byte[] masterKey, boolean send, boolean server) {
    byte[] magic = send == server ? KEY_MAGIC_CLIENT_RECEIVE : KEY_MAGIC_CLIENT_SEND;
    MessageDigest sha1 = sha1();
    sha1.update(masterKey);
    sha1.update(SHS_PAD1);
    sha1.update(magic);
    sha1.update(SHS_PAD2);
    return Arrays.copyOf(sha1.digest(), 16);
  }

  private static byte[] desEncrypt(byte[] block, byte[] key7) {
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey(key7), "DES"));
      return des.doFinal(block);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES unavailable", e);
    }
  }

  /** Spreads 56 key bits over 8 octets, 7 bits each (the parity bit is ignored by DES). */
  private static byte[] desKey(byte[] k) {
    byte[] out = new byte[8];
    out[0] = (byte) (k[0] & 0xfe);
    out[1] = (byte) (((k[0] << 7) | ((k[1] & 0xff) >>> 1)) & 0xfe);
    out[2] = (byte) (((k[1] << 6) | ((k[2] & 0xff) >>> 2)) & 0xfe);
    out[3] = (byte) (((k[2] << 5) | ((k[3] & 0xff) >>> 3)) & 0xfe);
    out[4] = (byte) (((k[3] << 4) | ((k[4] & 0xff) >>> 4)) & 0xfe);
    out[5] = (byte) (((k[4] << 3) | ((k[5] & 0xff) >>> 5)) & 0xfe);
    out[6] = (byte) (((k[5] << 2) | ((k[6] & 0xff) >>> 6)) & 0xfe);
    out[7] = (byte) ((k[6] << 1) & 0xfe);
    return out;
  }

  static byte[] md4(byte[] data) {
    MD4Digest d = new MD4Digest();
    d.update(data, 0, data.length);
    byte[] out = new byte[16];
    d.doFinal(out, 0);
    return out;
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }

  private static byte[] filled(int n, byte b) {
    byte[] out = new byte[n];
    Arrays.fill(out, b);
    return out;
  }
}
