package io.vpngateway.gateway.openvpn.transport;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per source IP for new handshakes (client hard resets). Together with tls-crypt,
 * which drops any unauthenticated packet before TLS, it bounds what a flood of resets can cost.
 * Thread-safe; idle buckets are pruned as the map grows.
 */
public final class HandshakeRateLimiter {
  private static final int MAX_TRACKED = 65536;
  private final double perSecond;
  private final Map<InetAddress, double[]> buckets = new HashMap<>();

  public HandshakeRateLimiter(int perSecond) {
    this.perSecond = Math.max(1, perSecond);
  }

  /** True when a new handshake from {@code source} may proceed now. */
  public synchronized boolean tryAcquire(InetAddress source, long nowNanos) {
    if (buckets.size() > MAX_TRACKED) {
      buckets.values().removeIf(b -> nowNanos - (long) b[1] > 10_000_000_000L);
      if (buckets.size() > MAX_TRACKED) {
        return false;
      }
    }
    double[] b = buckets.computeIfAbsent(source, k -> new double[] {perSecond, nowNanos});
    double elapsed = (nowNanos - (long) b[1]) / 1e9;
    b[0] = Math.min(perSecond, b[0] + elapsed * perSecond);
    b[1] = nowNanos;
    if (b[0] >= 1) {
      b[0] -= 1;
      return true;
    }
    return false;
  }
}
