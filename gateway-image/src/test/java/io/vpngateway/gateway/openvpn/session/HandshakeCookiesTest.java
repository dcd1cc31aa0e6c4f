package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class HandshakeCookiesTest {
  private final HandshakeCookies cookies = new HandshakeCookies(new SecureRandom());
  private final InetSocketAddress client = new InetSocketAddress("192.0.2.7", 40000);

  @Test
  void validForTheSameClientInThisAndTheNextSlotOnly() {
    long now = 1_000_000;
    long c = cookies.cookie(client, 42L, now);
    assertTrue(cookies.verify(client, 42L, c, now));
    assertTrue(cookies.verify(client, 42L, c, now + 30));
    assertFalse(cookies.verify(client, 42L, c, now + 90), "expired");
    assertFalse(cookies.verify(new InetSocketAddress("192.0.2.7", 40001), 42L, c, now));
    assertFalse(cookies.verify(new InetSocketAddress("192.0.2.8", 40000), 42L, c, now));
    assertFalse(cookies.verify(client, 43L, c, now));
    assertFalse(new HandshakeCookies(new SecureRandom()).verify(client, 42L, c, now),
        "another server's secret");
  }
}
