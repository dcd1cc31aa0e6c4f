package io.vpngateway.gateway.auth.radius.crypto;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MD5-based protections of RADIUS, all keyed by the shared secret:
 *
 * <ul>
 *   <li>Request Authenticator (random) and Response Authenticator check, RFC 2865 section 3;
 *   <li>Accounting-Request authenticator, RFC 2866 section 3;
 *   <li>Message-Authenticator (HMAC-MD5 over the packet), RFC 3579 section 3.2 / RFC 2869 5.14;
 *   <li>User-Password hiding, RFC 2865 section 5.2;
 *   <li>MS-MPPE-Send-Key / MS-MPPE-Recv-Key decryption, RFC 2548 section 2.4.2-2.4.3.
 * </ul>
 *
 * Every check compares in constant time ({@link MessageDigest#isEqual}). The secret arrives as a
 * byte array that the caller owns and wipes.
 */
public final class RadiusCrypto {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MA_LENGTH = 16;

  private RadiusCrypto() {}

  public static byte[] randomAuthenticator() {
    byte[] a = new byte[16];
    RANDOM.nextBytes(a);
    return a;
  }

  /**
   * Finishes an Access-Request or Status-Server whose random Request Authenticator is already set
   * (User-Password and MS-CHAP values depend on it): when {@code messageAuthenticator} is set, adds
   * a Message-Authenticator placed first (where a forged prefix cannot precede it, the BlastRADIUS
   * mitigation) and computed over the whole packet.
   */
  public static RadiusPacket signAccessRequest(
      RadiusPacket request, byte[] secret, boolean messageAuthenticator) {
    RadiusPacket p = request;
    if (!messageAuthenticator) {
      return p;
    }
    List<RadiusAttribute> attrs = new ArrayList<>();
    attrs.add(new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, new byte[MA_LENGTH]));
    for (RadiusAttribute a : p.attributes()) {
      if (a.type() != RadiusAttributeType.MESSAGE_AUTHENTICATOR) {
        attrs.add(a);
      }
    }
    RadiusPacket zeroed = p.withAttributes(attrs);
    byte[] mac = hmacMd5(secret, zeroed.encode());
    attrs.set(0, new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, mac));
    return p.withAttributes(attrs);
  }

  /** Finishes an Accounting-Request: authenticator = MD5 over the packet with a zero one + secret. */
  public static RadiusPacket signAccountingRequest(RadiusPacket request, byte[] secret) {
    RadiusPacket zero = request.withAuthenticator(new byte[16]);
    MessageDigest md5 = md5();
    md5.update(zero.encode());
    md5.update(secret);
    return request.withAuthenticator(md5.digest());
  }

  /**
   * Whether {@code reply}'s Response Authenticator is MD5(Code + Identifier + Length + Request
   * Authenticator + Attributes + Secret), RFC 2865 section 3 (and RFC 2866 for accounting).
   */
  public static boolean responseAuthenticatorValid(
      RadiusPacket reply, byte[] requestAuthenticator, byte[] secret) {
    byte[] wire = reply.withAuthenticator(requestAuthenticator).encode();
    MessageDigest md5 = md5();
    md5.update(wire);
    md5.update(secret);
    return MessageDigest.isEqual(md5.digest(), reply.authenticator());
  }

  /** Outcome of checking a reply's Message-Authenticator. */
  public enum MessageAuthenticatorCheck {
    VALID,
    ABSENT,
    INVALID
  }

  /**
   * Checks a reply's Message-Authenticator: HMAC-MD5 keyed by the secret over the reply with its
   * Authenticator field replaced by the request's and the Message-Authenticator value zeroed (RFC
   * 3579 section 3.2). More than one Message-Authenticator, or one not 16 octets long, is INVALID.
   */
  public static MessageAuthenticatorCheck checkMessageAuthenticator(
      RadiusPacket reply, byte[] requestAuthenticator, byte[] secret) {
    List<RadiusAttribute> mas = reply.attributes(RadiusAttributeType.MESSAGE_AUTHENTICATOR);
    if (mas.isEmpty()) {
      return MessageAuthenticatorCheck.ABSENT;
    }
    if (mas.size() > 1 || mas.get(0).length() != MA_LENGTH) {
      return MessageAuthenticatorCheck.INVALID;
    }
    List<RadiusAttribute> zeroed = new ArrayList<>();
    for (RadiusAttribute a : reply.attributes()) {
      zeroed.add(
          a.type() == RadiusAttributeType.MESSAGE_AUTHENTICATOR
              ? new RadiusAttribute(a.type(), new byte[MA_LENGTH])
              : a);
    }
    byte[] wire =
        reply.withAuthenticator(requestAuthenticator).withAttributes(zeroed).encode();
    return MessageDigest.isEqual(hmacMd5(secret, wire), mas.get(0).value())
        ? MessageAuthenticatorCheck.VALID
        : MessageAuthenticatorCheck.INVALID;
  }

  /** Whether a request's Message-Authenticator is right (servers and tests check requests). */
  public static boolean requestMessageAuthenticatorValid(RadiusPacket request, byte[] secret) {
    return checkMessageAuthenticator(request, request.authenticator(), secret)
        == MessageAuthenticatorCheck.VALID;
  }

  /**
   * User-Password hiding, RFC 2865 section 5.2: the password padded with zeros to a multiple of 16
   * octets (at most 128), XORed block by block with MD5(secret + previous block), the first
   * "previous block" being the Request Authenticator.
   */
  public static byte[] hidePassword(byte[] password, byte[] secret, byte[] requestAuthenticator) {
    if (password.length > 128) {
      throw new IllegalArgumentException("User-Password longer than 128 octets");
    }
    int padded = Math.max(16, (password.length + 15) / 16 * 16);
    byte[] out = Arrays.copyOf(password, padded);
    byte[] previous = requestAuthenticator;
    for (int i = 0; i < padded; i += 16) {
      MessageDigest md5 = md5();
      md5.update(secret);
      md5.update(previous);
      byte[] b = md5.digest();
      for (int j = 0; j < 16; j++) {
        out[i + j] ^= b[j];
      }
      previous = Arrays.copyOfRange(out, i, i + 16);
    }
    return out;
  }

  /** The inverse of {@link #hidePassword} (for a test server), trailing zero padding removed. */
  public static byte[] revealPassword(byte[] hidden, byte[] secret, byte[] requestAuthenticator) {
    byte[] out = hidden.clone();
    byte[] previous = requestAuthenticator;
    for (int i = 0; i + 16 <= out.length; i += 16) {
      MessageDigest md5 = md5();
      md5.update(secret);
      md5.update(previous);
      byte[] b = md5.digest();
      previous = Arrays.copyOfRange(hidden, i, i + 16);
      for (int j = 0; j < 16; j++) {
        out[i + j] ^= b[j];
      }
    }
    int n = out.length;
    while (n > 0 && out[n - 1] == 0) {
      n--;
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * Decrypts an MS-MPPE-Send-Key or MS-MPPE-Recv-Key value (RFC 2548 section 2.4.2): a 2-octet
   * salt (high bit set) and a multiple of 16 octets, each block XORed with MD5(secret + Request
   * Authenticator + salt) for the first, MD5(secret + previous ciphertext block) after; the plain
   * text is a key-length octet, the key, and padding.
   *
   * @throws GeneralSecurityException when the value is not of that shape or the length octet
   *     points past the data (a wrong secret or a forged attribute)
   */
  public static byte[] decryptMppeKey(byte[] value, byte[] secret, byte[] requestAuthenticator)
      throws GeneralSecurityException {
    if (value.length < 2 + 16 || (value.length - 2) % 16 != 0) {
      throw new GeneralSecurityException("MPPE key attribute has a bad length: " + value.length);
    }
    if ((value[0] & 0x80) == 0) {
      throw new GeneralSecurityException("MPPE key salt lacks its high bit");
    }
    byte[] plain = new byte[value.length - 2];
    byte[] previous = null;
    for (int i = 2; i < value.length; i += 16) {
      MessageDigest md5 = md5();
      md5.update(secret);
      if (previous == null) {
        md5.update(requestAuthenticator);
        md5.update(value, 0, 2);
      } else {
        md5.update(previous);
      }
      byte[] b = md5.digest();
      for (int j = 0; j < 16; j++) {
        plain[i - 2 + j] = (byte) (value[i + j] ^ b[j]);
      }
      previous = Arrays.copyOfRange(value, i, i + 16);
    }
    int keyLength = plain[0] & 0xff;
    if (keyLength == 0 || keyLength > plain.length - 1) {
      Arrays.fill(plain, (byte) 0);
      throw new GeneralSecurityException("MPPE key length octet is inconsistent");
    }
    byte[] key = Arrays.copyOfRange(plain, 1, 1 + keyLength);
    Arrays.fill(plain, (byte) 0);
    return key;
  }

  /** Encrypts an MPPE key the way a server does (for tests and a test server). */
  public static byte[] encryptMppeKey(
      byte[] key, byte[] secret, byte[] requestAuthenticator, int salt) {
    int plainLength = (1 + key.length + 15) / 16 * 16;
    byte[] plain = new byte[plainLength];
    plain[0] = (byte) key.length;
    System.arraycopy(key, 0, plain, 1, key.length);
    ByteBuffer out = ByteBuffer.allocate(2 + plainLength);
    out.putShort((short) (salt | 0x8000));
    byte[] previous = null;
    byte[] saltBytes = Arrays.copyOf(out.array(), 2);
    for (int i = 0; i < plainLength; i += 16) {
      MessageDigest md5 = md5();
      md5.update(secret);
      if (previous == null) {
        md5.update(requestAuthenticator);
        md5.update(saltBytes);
      } else {
        md5.update(previous);
      }
      byte[] b = md5.digest();
      byte[] c = new byte[16];
      for (int j = 0; j < 16; j++) {
        c[j] = (byte) (plain[i + j] ^ b[j]);
      }
      out.put(c);
      previous = c;
    }
    return out.array();
  }

  /** Whether the packet is a reply code (so a response authenticator applies). */
  public static boolean isReply(RadiusCode code) {
    return code == RadiusCode.ACCESS_ACCEPT
        || code == RadiusCode.ACCESS_REJECT
        || code == RadiusCode.ACCESS_CHALLENGE
        || code == RadiusCode.ACCOUNTING_RESPONSE;
  }

  static byte[] hmacMd5(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      // an empty secret cannot key an HMAC in the JDK; the config refuses empty secrets anyway
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacMD5"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacMD5 unavailable", e);
    }
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 unavailable", e);
    }
  }
}
