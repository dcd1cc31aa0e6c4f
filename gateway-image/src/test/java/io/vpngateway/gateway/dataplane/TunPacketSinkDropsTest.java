package io.vpngateway.gateway.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.gateway.session.SessionRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's sink drops what its client must not send, and counts each drop under the client's
 * protocol (the labels of {@code vpngw_dropped_packets_total{protocol,reason}}), never under
 * another protocol's. Each packet here is refused before the TUN write, so no TUN is needed.
 */
class TunPacketSinkDropsTest {
  private static final int CLIENT = Packets.ipv4("10.254.9.5");
  private static final int OTHER_CLIENT = Packets.ipv4("10.254.9.7");
  private static final int BACKEND = Packets.ipv4("10.254.2.2");

  private final DataPlaneCounters counters = new DataPlaneCounters();
  private final SessionRegistry registry = new SessionRegistry();

  private TunPacketSink sstpClientSink() {
    return new TunPacketSink(
        List.of(), registry, counters, counters.of(VpnProtocol.SSTP), false, true, CLIENT);
  }

  private static Map<String, Long> nonZero(Map<String, Long> drops) {
    return Map.copyOf(
        drops.entrySet().stream()
            .filter(e -> e.getValue() != 0)
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  private void assertOnlySstp(String reason) {
    assertEquals(Map.of(reason, 1L), nonZero(counters.of(VpnProtocol.SSTP).byReason()));
    assertEquals(Map.of(), nonZero(counters.of(VpnProtocol.OpenVPN).byReason()));
    assertEquals(Map.of(), nonZero(counters.of(VpnProtocol.IKEv2).byReason()));
    assertEquals(Map.of(), nonZero(counters.unattributed.byReason()));
    assertEquals(Map.of(), nonZero(counters.tunDrops()));
  }

  @Test
  void anIpv6PacketIsNotIpv4() {
    ByteBuffer ipv6 = ByteBuffer.allocate(40);
    ipv6.put(0, (byte) 0x60).putShort(4, (short) 0);
    sstpClientSink().write(ipv6);
    assertOnlySstp("NotIpv4");
    assertEquals(1, counters.snapshot().droppedNotIpv4());
  }

  @Test
  void aPacketFromAnotherAddressThanTheSessionsIsSpoofed() {
    sstpClientSink().write(Packets.udp(OTHER_CLIENT, BACKEND, 1000, 53, 8));
    assertOnlySstp("SpoofedSource");
    assertEquals(1, counters.snapshot().droppedSpoofedSource());
  }

  @Test
  void aBrokenIpv4HeaderIsMalformed() {
    ByteBuffer p = Packets.udp(CLIENT, BACKEND, 1000, 53, 8);
    p.putShort(2, (short) 400); // total length beyond the packet
    sstpClientSink().write(p);
    assertOnlySstp("MalformedIpv4");
  }

  @Test
  void aPacketToAnotherClientWhileClientToClientIsOffIsDropped() throws Exception {
    FakeSession other = new FakeSession("10.254.9.7");
    registry.register(other);
    sstpClientSink().write(Packets.udp(CLIENT, OTHER_CLIENT, 1000, 53, 8));
    assertOnlySstp("ClientToClientDisabled");
    assertEquals(0, other.received.size());
  }

  @Test
  void theGatewaysOwnSinkChargesNoProtocol() {
    TunPacketSink own =
        new TunPacketSink(List.of(), registry, counters, counters.unattributed, false, false, 0);
    own.write(ByteBuffer.allocate(40).put(0, (byte) 0x60));
    assertEquals(1, counters.unattributed.byReason().get("NotIpv4"));
    assertEquals(0, counters.of(VpnProtocol.SSTP).byReason().get("NotIpv4"));
  }
}
