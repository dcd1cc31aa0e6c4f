package io.vpngateway.gateway.openvpn.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {
  @Test
  void aFloodOfDistinctSourcesNeverLocksEveryoneOut() throws Exception {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(10);
    long now = 1_000_000_000L;
    // more sources than the old tracking cap, all within one second
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16),
          (byte) (i >> 8), (byte) i}), now);
    }
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      if (limiter.tryAcquire(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 7,
          (byte) i}), now)) {
        admitted++;
      }
    }
    // sharing a bucket with one or two flooding sources still leaves tokens
    assertTrue(admitted >= 95, "new sources admitted: " + admitted);
  }

  @Test
  void oneSourceIsLimitedAndRefills() throws Exception {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(2);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    long now = 5_000_000_000L;
    assertTrue(limiter.tryAcquire(a, now));
    assertTrue(limiter.tryAcquire(a, now));
    assertFalse(limiter.tryAcquire(a, now));
    assertTrue(limiter.tryAcquire(a, now + 600_000_000L));
  }
}
