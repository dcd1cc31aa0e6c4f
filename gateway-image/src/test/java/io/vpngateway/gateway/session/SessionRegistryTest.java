package io.vpngateway.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
  private record Stub(String id, Inet4Address innerAddress) implements TunnelSession {
    static Stub at(int address) throws Exception {
      byte[] b = {
        (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
      };
      return new Stub("s" + address, (Inet4Address) InetAddress.getByAddress(b));
    }

    public VpnProtocol protocol() {
      return VpnProtocol.IKEv2;
    }

    public ClientIdentity identity() {
      return ClientIdentity.of("x", List.of(), AuthMethod.CERTIFICATE, "test");
    }

    public InetSocketAddress outerAddress() {
      return null;
    }

    public Instant since() {
      return Instant.EPOCH;
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

    public void close(String reason) {}
  }

  @Test
  void lookupFindsEveryRegisteredSessionThroughGrowthAndShrinking() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    int base = 0x0a080000;
    List<Stub> sessions = new ArrayList<>();
    for (int i = 2; i < 3000; i++) {
      Stub s = Stub.at(base + i);
      sessions.add(s);
      registry.register(s);
    }
    for (Stub s : sessions) {
      assertSame(s, registry.lookup(SessionRegistry.toInt(s.innerAddress())));
    }
    assertNull(registry.lookup(base + 1));
    assertNull(registry.lookup(base + 5000));
    for (int i = 0; i < sessions.size(); i += 2) {
      registry.unregister(sessions.get(i));
    }
    for (int i = 0; i < sessions.size(); i++) {
      Stub s = sessions.get(i);
      TunnelSession found = registry.lookup(SessionRegistry.toInt(s.innerAddress()));
      if (i % 2 == 0) {
        assertNull(found);
      } else {
        assertSame(s, found);
      }
    }
    assertEquals(sessions.size() / 2, registry.size());
  }

  @Test
  void anAddressHasOneOwnerAndAStaleUnregisterDoesNotEvictTheNewOne() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    Stub first = Stub.at(0x0a000005);
    registry.register(first);
    Stub clash = new Stub("other", first.innerAddress());
    assertThrows(IllegalStateException.class, () -> registry.register(clash));
    registry.unregister(first);
    registry.register(clash);
    registry.unregister(first); // late cleanup of the old session
    assertSame(clash, registry.lookup(0x0a000005));
  }

  @Test
  void listenersHearEachSessionEnterAndLeaveOnce() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    List<String> events = new ArrayList<>();
    registry.onRegister(s -> events.add("+" + s.id()));
    registry.onUnregister(s -> events.add("-" + s.id()));
    Stub a = Stub.at(0x0a000007);
    registry.register(a);
    registry.register(a); // the same session again (idempotent)
    assertThrows(IllegalStateException.class,
        () -> registry.register(new Stub("clash", a.innerAddress())));
    registry.unregister(a);
    registry.unregister(a);
    assertEquals(List.of("+" + a.id(), "-" + a.id()), events);
  }
}
