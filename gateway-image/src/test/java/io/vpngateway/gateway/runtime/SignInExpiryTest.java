package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ServerAssignment;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions past their sign-in's end are ended; the others, and sessions without one, are not. */
class SignInExpiryTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");

  private static final class Stub implements TunnelSession {
    final String id;
    final Inet4Address address;
    final ClientIdentity identity;
    final List<String> closed = new ArrayList<>();

    Stub(String id, int last, ClientIdentity identity) throws Exception {
      this.id = id;
      this.address = (Inet4Address) InetAddress.getByAddress(new byte[] {10, 9, 0, (byte) last});
      this.identity = identity;
    }

    public String id() {
      return id;
    }

    public VpnProtocol protocol() {
      return VpnProtocol.OpenVPN;
    }

    public ClientIdentity identity() {
      return identity;
    }

    public Inet4Address innerAddress() {
      return address;
    }

    public InetSocketAddress outerAddress() {
      return null;
    }

    public Instant since() {
      return NOW.minusSeconds(600);
    }

    public String cipher() {
      return "";
    }

    public long bytesIn() {
      return 0;
    }

    public long bytesOut() {
      return 0;
    }

    public void deliverFromTun(ByteBuffer ipPacket) {}

    public void close(String reason) {
      closed.add(reason);
    }
  }

  private static ClientIdentity oidc(String name, Instant notAfter) {
    return ClientIdentity.of(name, List.of(), AuthMethod.OIDC, "https://issuer")
        .withAssignment(ServerAssignment.until(notAfter));
  }

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A clock the test moves. */
  private static final class Moving extends Clock {
    volatile Instant now = NOW;

    public Instant instant() {
      return now;
    }

    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void theScanRunsOnlyWhileSomeSessionHasASignInEnd() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    Moving clock = new Moving();
    SignInExpiry expiry = new SignInExpiry(registry, clock, scheduler);
    registry.onRegister(expiry::watch);
    registry.register(
        new Stub("c", 4, ClientIdentity.of("carol", List.of(), AuthMethod.CERTIFICATE, "ca")));
    assertFalse(expiry.armed(), "no sign-in end: no periodic wake-up");
    Stub alice = new Stub("a", 2, oidc("alice", NOW.plusSeconds(60)));
    registry.register(alice);
    assertTrue(expiry.armed());
    expiry.run();
    assertTrue(expiry.armed(), "alice's sign-in ends later");
    clock.now = NOW.plusSeconds(61);
    expiry.run();
    assertEquals(List.of("sign-in expired (TokenExpired)"), alice.closed);
    assertFalse(expiry.armed(), "no sign-in end left to wait for");
    registry.register(new Stub("b", 3, oidc("bob", NOW.plusSeconds(120))));
    assertTrue(expiry.armed(), "armed again");
  }

  @Test
  void onlySessionsPastTheirSignInsEndAreEnded() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    Stub expired = new Stub("a", 2, oidc("alice", NOW.minusSeconds(1)));
    Stub valid = new Stub("b", 3, oidc("bob", NOW.plusSeconds(60)));
    Stub certificate =
        new Stub("c", 4, ClientIdentity.of("carol", List.of(), AuthMethod.CERTIFICATE, "ca"));
    registry.register(expired);
    registry.register(valid);
    registry.register(certificate);
    new SignInExpiry(registry, Clock.fixed(NOW, ZoneOffset.UTC), scheduler).run();
    assertEquals(List.of("sign-in expired (TokenExpired)"), expired.closed);
    assertEquals(List.of(), valid.closed);
    assertEquals(List.of(), certificate.closed);
    new SignInExpiry(registry, Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC), scheduler)
        .run();
    assertEquals(1, valid.closed.size(), "bob's token ended too");
    assertEquals(List.of(), certificate.closed);
  }
}
