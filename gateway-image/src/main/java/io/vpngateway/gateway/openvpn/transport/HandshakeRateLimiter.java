package io.vpngateway.gateway.openvpn.transport;

import java.net.InetAddress;
import java.security.SecureRandom;

/**
 * A token bucket per source IP for new handshakes (client hard resets), checked after the reset
 * passed tls-crypt / tls-crypt-v2 authentication (openvpn's order: the cheap HMAC first, so
 * forged packets cannot spend a real client's tokens).
 *
 * <p>The buckets are a fixed array indexed by a keyed hash of the address: memory is constant,
 * nothing is ever pruned, and a flood of distinct sources can never make the limiter refuse
 * everyone. Two sources whose hashes collide share a bucket; the hash key is random per process,
 * so an attacker cannot aim a collision at a chosen victim. Thread-safe, with striped locks.
 */
public final class HandshakeRateLimiter {
  /** Buckets (a power of two): 64 Ki entries, 1 MiB in all. */
  static final int BUCKETS = 1 << 16;
  private static final int STRIPES = 64;

  private final double perSecond;
  private final double[] tokens = new double[BUCKETS];
  private final long[] lastNanos = new long[BUCKETS];
  private final boolean[] used = new boolean[BUCKETS];
  private final Object[] locks = new Object[STRIPES];
  private final long hashKey = new SecureRandom().nextLong() | 1;

  public HandshakeRateLimiter(int perSecond) {
    this.perSecond = Math.max(1, perSecond);
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** True when a new handshake from {@code source} may proceed now. */
  public boolean tryAcquire(InetAddress source, long nowNanos) {
    int i = bucketOf(source);
    synchronized (locks[i & (STRIPES - 1)]) {
      if (!used[i]) {
        used[i] = true;
        tokens[i] = perSecond;
      } else {
        double elapsed = Math.max(0, nowNanos - lastNanos[i]) / 1e9;
        tokens[i] = Math.min(perSecond, tokens[i] + elapsed * perSecond);
      }
      lastNanos[i] = nowNanos;
      if (tokens[i] >= 1) {
        tokens[i] -= 1;
        return true;
      }
      return false;
    }
  }

  private int bucketOf(InetAddress source) {
    long h = hashKey;
    for (byte b : source.getAddress()) {
      h = (h ^ (b & 0xff)) * 0x9e3779b97f4a7c15L;
      h ^= h >>> 29;
    }
    h *= hashKey;
    h ^= h >>> 32;
    return (int) h & (BUCKETS - 1);
  }
}
