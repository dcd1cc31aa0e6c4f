package io.vpngateway.gateway.tun;

import static io.vpngateway.gateway.lab.Packets.checksum;
import static io.vpngateway.gateway.lab.Packets.ipv4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes TCP segments through the coalescer into a real TUN device whose namespace forwards them
 * straight back out of the same device. The TUN device has no TSO, so the kernel must
 * re-segment every GSO super-segment it accepted: reading back exactly the segments that went in
 * (same sequence numbers, payloads, valid checksums) proves the merged packet was well formed.
 */
class TcpSegmentCoalescerTest {
  private static final int CLIENT = ipv4("10.250.9.2");
  private static final int OTHER_HOST = ipv4("10.250.9.3");
  private static final int PAYLOAD = 1000;

  private NetnsLab lab;
  private Netns ns;

  @BeforeEach
  void lab() throws Exception {
    lab = NetnsLab.create("gro", "10.250.5.0/24", "10.250.6.0/24");
    ns = lab.gateway();
  }

  @AfterEach
  void cleanup() throws Exception {
    TcpSegmentCoalescer.disableForCurrentThread();
    if (lab != null) {
      lab.close();
    }
  }

  private TunDevice openForwarding() throws Exception {
    TunDevice tun = ns.callInside(() -> TunDevice.open("vggro%d", 1));
    ns.execOk("ip", "addr", "add", "10.250.9.1/24", "dev", tun.name());
    ns.execOk("ip", "link", "set", tun.name(), "up");
    ns.execOk("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    ns.execOk("sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
    ns.execOk("sysctl", "-q", "-w", "net.ipv4.conf." + tun.name() + ".send_redirects=0");
    return tun;
  }

  @Test
  void inOrderSegmentsOfOneFlowBecomeOneGsoPacketThatTheKernelAccepts() throws Exception {
    try (TunDevice tun = openForwarding()) {
      TcpSegmentCoalescer c = TcpSegmentCoalescer.enableForCurrentThread();
      List<ByteBuffer> sent = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int len = i == 7 ? PAYLOAD / 2 : PAYLOAD;
        sent.add(segment(1000 + i * PAYLOAD, 100 + i, 0x10, len, i == 7 ? 0x18 : 0x10));
      }
      for (ByteBuffer s : sent) {
        c.offer(tun.queue(0), s.duplicate());
      }
      c.flush();
      assertEquals(8, c.segmentsIn());
      assertEquals(1, c.packetsOut(), "one super-segment written");

      List<ByteBuffer> back = readTcp(tun, 8);
      for (int i = 0; i < 8; i++) {
        ByteBuffer in = sent.get(i);
        ByteBuffer out = back.get(i);
        assertEquals(in.limit(), out.limit(), "segment " + i + " length");
        assertEquals(in.getInt(24), out.getInt(24), "segment " + i + " seq");
        assertEquals(0, checksum(out, 0, 20), "IP checksum of segment " + i);
        assertEquals(0, tcpChecksum(out), "TCP checksum of segment " + i);
        assertArrayEquals(payload(in), payload(out), "payload of segment " + i);
      }
      assertEquals(0x18, back.get(7).get(33) & 0xff, "PSH kept on the last segment");
    }
  }

  @Test
  void aPacketThatCannotJoinFlushesWhatIsPendingAndKeepsTheOrder() throws Exception {
    try (TunDevice tun = openForwarding()) {
      TcpSegmentCoalescer c = TcpSegmentCoalescer.enableForCurrentThread();
      c.offer(tun.queue(0), segment(5000, 1, 0x10, PAYLOAD, 0x10));
      c.offer(tun.queue(0), segment(5000 + PAYLOAD, 2, 0x10, PAYLOAD, 0x10));
      // a gap in the sequence space: must not be merged
      c.offer(tun.queue(0), segment(5000 + 3 * PAYLOAD, 3, 0x10, PAYLOAD, 0x10));
      // FIN is never merged
      c.offer(tun.queue(0), segment(5000 + 4 * PAYLOAD, 4, 0x10, PAYLOAD, 0x11));
      c.flush();
      assertEquals(3, c.packetsOut(), "merged pair, lone segment after the gap, FIN");

      List<ByteBuffer> back = readTcp(tun, 4);
      int[] seqs = back.stream().mapToInt(b -> b.getInt(24)).toArray();
      assertArrayEquals(new int[] {5000, 5000 + PAYLOAD, 5000 + 3 * PAYLOAD, 5000 + 4 * PAYLOAD},
          seqs);
    }
  }

  @Test
  void interleavedFlowsAreCoalescedEachIntoItsOwnGsoPacket() throws Exception {
    try (TunDevice tun = openForwarding()) {
      TcpSegmentCoalescer c = TcpSegmentCoalescer.enableForCurrentThread();
      int flows = TcpSegmentCoalescer.MAX_FLOWS;
      // a burst as P parallel streams produce it: flow 0, 1, 2, 3, 0, 1, 2, 3, ...
      for (int i = 0; i < 6; i++) {
        for (int f = 0; f < flows; f++) {
          ByteBuffer s = flowSegment(40000 + f, 9000 + i * PAYLOAD, 10 + i, 0x10, PAYLOAD, 0x10);
          c.offer(tun.queue(0), s);
        }
      }
      c.flush();
      assertEquals(6 * flows, c.segmentsIn());
      assertEquals(flows, c.packetsOut(), "one super-segment per flow");

      List<ByteBuffer> back = readTcp(tun, 6 * flows);
      for (int f = 0; f < flows; f++) {
        int port = 40000 + f;
        int[] seqs = back.stream().filter(b -> (b.getShort(20) & 0xffff) == port)
            .mapToInt(b -> b.getInt(24)).toArray();
        assertArrayEquals(new int[] {9000, 9000 + PAYLOAD, 9000 + 2 * PAYLOAD,
            9000 + 3 * PAYLOAD, 9000 + 4 * PAYLOAD, 9000 + 5 * PAYLOAD}, seqs,
            "segments of flow " + f + " in order");
      }
      for (ByteBuffer out : back) {
        assertEquals(0, tcpChecksum(out), "TCP checksum");
      }
    }
  }

  @Test
  void aFlowBeyondTheTableFlushesTheOldestRunAndANonTcpPacketFlushesAll() throws Exception {
    try (TunDevice tun = openForwarding()) {
      TcpSegmentCoalescer c = TcpSegmentCoalescer.enableForCurrentThread();
      int flows = TcpSegmentCoalescer.MAX_FLOWS;
      for (int f = 0; f <= flows; f++) {
        c.offer(tun.queue(0), flowSegment(41000 + f, 100, 1, 0x10, PAYLOAD, 0x10));
      }
      assertEquals(1, c.packetsOut(), "the first flow's run made room for the fifth");
      // flow 0 again: a new run (its first segment is already written), not a merge
      c.offer(tun.queue(0), flowSegment(41000, 100 + PAYLOAD, 2, 0x10, PAYLOAD, 0x10));
      assertEquals(2, c.packetsOut(), "the second flow's run made room for flow 0");
      // a FIN cannot be coalesced: every held run is written before it
      c.offer(tun.queue(0), flowSegment(41001, 100 + PAYLOAD, 2, 0x10, PAYLOAD, 0x11));
      assertEquals(2 + flows + 1, c.packetsOut());
      c.flush();
      assertEquals(2 + flows + 1, c.packetsOut(), "nothing left to flush");
      readTcp(tun, flows + 3);
    }
  }

  @Test
  void threadsWithoutBatchingHaveNoCoalescer() throws Exception {
    TcpSegmentCoalescer.disableForCurrentThread();
    assertNull(TcpSegmentCoalescer.current());
  }

  /** An IPv4/TCP segment with timestamps option, valid checksums, DF, in a direct buffer. */
  private static ByteBuffer segment(int seq, int ipId, int ack, int payload, int flags) {
    return flowSegment(40000, seq, ipId, ack, payload, flags);
  }

  /** Like {@link #segment}, of the flow from source port {@code port}. */
  private static ByteBuffer flowSegment(int port, int seq, int ipId, int ack, int payload,
      int flags) {
    int thl = 32;
    int len = 20 + thl + payload;
    ByteBuffer b = ByteBuffer.allocateDirect(len);
    b.put(0, (byte) 0x45).putShort(2, (short) len).putShort(4, (short) ipId)
        .putShort(6, (short) 0x4000).put(8, (byte) 64).put(9, (byte) 6)
        .putInt(12, CLIENT).putInt(16, OTHER_HOST);
    b.putShort(10, (short) checksum(b, 0, 20));
    b.putShort(20, (short) port).putShort(22, (short) 5201).putInt(24, seq).putInt(28, ack)
        .put(32, (byte) ((thl / 4) << 4)).put(33, (byte) flags).putShort(34, (short) 502);
    // NOP NOP TIMESTAMP(10): same on every segment, as in a burst
    b.putInt(40, 0x0101080a).putInt(44, 0x01020304).putInt(48, 0x05060708);
    for (int i = 0; i < payload; i++) {
      b.put(20 + thl + i, (byte) (seq + i));
    }
    b.putShort(36, (short) tcpChecksum(b));
    return b;
  }

  /** The TCP checksum over pseudo-header and segment; 0 when the stored checksum is valid. */
  private static int tcpChecksum(ByteBuffer ip) {
    int tcpLen = ip.limit() - 20;
    ByteBuffer pseudo = ByteBuffer.allocate(12 + tcpLen);
    pseudo.putInt(ip.getInt(12)).putInt(ip.getInt(16)).put((byte) 0).put((byte) 6)
        .putShort((short) tcpLen);
    pseudo.put(ip.duplicate().position(20));
    return checksum(pseudo, 0, pseudo.capacity());
  }

  private static byte[] payload(ByteBuffer ip) {
    int thl = ((ip.get(32) & 0xff) >>> 4) * 4;
    byte[] p = new byte[ip.limit() - 20 - thl];
    ip.get(20 + thl, p);
    return p;
  }

  /** Reads {@code count} forwarded TCP segments (other traffic, e.g. IPv6 noise, is skipped). */
  private static List<ByteBuffer> readTcp(TunDevice tun, int count) throws Exception {
    List<ByteBuffer> got = new ArrayList<>();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (got.size() < count && System.nanoTime() < deadline) {
      ByteBuffer buf = ByteBuffer.allocateDirect(2048);
      if (tun.queue(0).read(buf, 100) > 0) {
        buf.flip();
        if (buf.get(0) == 0x45 && buf.get(9) == 6 && buf.getInt(16) == OTHER_HOST) {
          got.add(buf);
        }
      }
    }
    assertTrue(got.size() == count, "forwarded segments: " + got.size() + " of " + count);
    return got;
  }
}
