package io.vpngateway.gateway.ikev2.crypto;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless cookies against IKE_SA_INIT floods, RFC 7296 §2.6: {@code Cookie = VersionIDofSecret |
 * Hash(Ni | IPi | SPIi | secret)}, here an HMAC-SHA-256 keyed with the secret, truncated to 16
 * octets. The secret is replaced every {@link #ROTATE_NANOS}; a cookie made with the previous one
 * is still accepted, so a client that took up to one period to come back is not refused.
 *
 * <p>Thread-safe.
 */
public final class CookieGenerator {
  static final long ROTATE_NANOS = 120_000_000_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Secret(int version, byte[] key, long since) {}

  private volatile Secret current;
  private volatile Secret previous;

  public CookieGenerator() {
    current = newSecret(1, System.nanoTime());
    previous = current;
  }

  private static Secret newSecret(int version, long now) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return new Secret(version, key, now);
  }

  private synchronized Secret rotateIfDue(long now) {
    Secret c = current;
    if (now - c.since() >= ROTATE_NANOS) {
      previous = c;
      current = newSecret(c.version() + 1, now);
    }
    return current;
  }

  /** The cookie for this initiator. */
  public byte[] cookie(byte[] ni, InetSocketAddress initiator, long spiI) {
    Secret s = rotateIfDue(System.nanoTime());
    return make(s, ni, initiator, spiI);
  }

  /** Whether {@code cookie} is one we handed to this initiator recently. */
  public boolean verify(byte[] cookie, byte[] ni, InetSocketAddress initiator, long spiI) {
    if (cookie.length != 20) {
      return false;
    }
    int version = ByteBuffer.wrap(cookie).getInt();
    rotateIfDue(System.nanoTime());
    for (Secret s : new Secret[] {current, previous}) {
      if (s.version() == version) {
        return MessageDigest.isEqual(cookie, make(s, ni, initiator, spiI));
      }
    }
    return false;
  }

  private static byte[] make(Secret s, byte[] ni, InetSocketAddress initiator, long spiI) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(s.key(), "HmacSHA256"));
      mac.update(ni);
      mac.update(initiator.getAddress().getAddress());
      mac.update(ByteBuffer.allocate(8).putLong(spiI).array());
      byte[] h = mac.doFinal();
      return ByteBuffer.allocate(20).putInt(s.version()).put(Arrays.copyOf(h, 16)).array();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
