package io.vpngateway.gateway.tun;

import static io.vpngateway.gateway.lab.Packets.checksum;
import static io.vpngateway.gateway.lab.Packets.ipv4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Segmentation of TCP super-packets: each segment checked field by field, and a real TCP stream
 * from a kernel with TSO on a TUN device, segmented by us and fed to another kernel that verifies
 * every checksum and sequence number.
 */
class TsoSegmenterTest {
  private static final int SRC = ipv4("10.250.11.1");
  private static final int DST = ipv4("10.250.11.2");

  @Test
  void superPacketBecomesTheSegmentsItsSenderMeant() {
    int mss = 1448;
    int payload = 10 * mss + 700;
    // CWR (first only), PSH and FIN (last only), plus ACK everywhere
    ByteBuffer superPacket = tcp(payload, 0x80 | 0x10 | 0x08 | 0x01, 7000, 0x1000);
    superPacket.position(0);
    List<ByteBuffer> segments = new ArrayList<>();
    TsoSegmenter segmenter = new TsoSegmenter(64, 32);
    int n = segmenter.segment(superPacket, mss, s -> {
      assertEquals(64, s.position(), "headroom kept");
      segments.add(ByteBuffer.allocate(s.remaining()).put(s).flip());
    });
    assertEquals(11, n);
    assertEquals(11, segments.size());
    ByteBuffer joined = ByteBuffer.allocate(payload);
    for (int k = 0; k < n; k++) {
      ByteBuffer s = segments.get(k);
      boolean last = k == n - 1;
      int len = last ? 700 : mss;
      assertEquals(20 + 32 + len, s.remaining(), "segment " + k + " length");
      assertEquals(20 + 32 + len, s.getShort(2) & 0xffff, "IP total length of " + k);
      assertEquals(0x1000 + k, s.getShort(4) & 0xffff, "IP id of " + k);
      assertEquals(0, checksum(s, 0, 20), "IP checksum of " + k);
      assertEquals(7000 + k * mss, s.getInt(24), "sequence number of " + k);
      int flags = s.get(33) & 0xff;
      assertEquals(k == 0, (flags & 0x80) != 0, "CWR only on the first");
      assertEquals(last, (flags & 0x09) == 0x09, "PSH and FIN only on the last");
      assertTrue((flags & 0x10) != 0, "ACK on every segment");
      assertEquals(0, tcpChecksum(s), "TCP checksum of " + k);
      assertArrayEquals(options(superPacket), options(s), "TCP options of " + k);
      joined.put(s.duplicate().position(52));
    }
    assertArrayEquals(payloadOf(superPacket), joined.array(), "payload in order");
  }

  @Test
  void segmentingAllocatesNothingPerPacket() {
    Prerequisites.require(
        ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
        "the HotSpot thread allocation counter (com.sun.management)");
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    ByteBuffer superPacket = ByteBuffer.allocateDirect(65536);
    superPacket.put(tcp(45 * 1448, 0x10, 1, 1)).flip();
    TsoSegmenter segmenter = new TsoSegmenter(64, 32);
    long[] bytes = new long[1];
    TsoSegmenter.Sink sink = s -> bytes[0] += s.remaining();
    Runnable burst = () -> {
      for (int i = 0; i < 2000; i++) {
        segmenter.segment(superPacket, 1448, sink);
      }
    };
    burst.run(); // warm up
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    burst.run();
    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    assertTrue(allocated < 2000 * 45 / 100, "bytes allocated for 90000 segments: " + allocated);
    assertTrue(bytes[0] > 0);
  }

  @Test
  void refusesWhatIsNotTcpOverIpv4() {
    TsoSegmenter segmenter = new TsoSegmenter(0, 0);
    ByteBuffer udp = io.vpngateway.gateway.lab.Packets.udp(SRC, DST, 1, 2, 3000);
    assertEquals(-1, segmenter.segment(udp, 1400, s -> { }));
    ByteBuffer lying = tcp(3000, 0x10, 1, 1);
    lying.putShort(2, (short) 999); // total length disagrees with what was read
    assertEquals(-1, segmenter.segment(lying.position(0), 1400, s -> { }));
  }

  @Test
  void completesAPartialChecksumAsTheKernelLeftIt() {
    ByteBuffer p = tcp(1000, 0x18, 1, 1);
    int valid = p.getShort(36) & 0xffff;
    // what the kernel hands with NEEDS_CSUM: the field holds the pseudo-header sum only
    long pseudo = (SRC >>> 16) + (SRC & 0xffff) + (DST >>> 16) + (DST & 0xffff) + 6
        + (p.limit() - 20);
    p.putShort(36, (short) TsoSegmenter.fold(pseudo));
    assertTrue(TsoSegmenter.completeChecksum(p.position(0), 20, 16));
    assertEquals(valid, p.getShort(36) & 0xffff);
    assertFalse(TsoSegmenter.completeChecksum(p.position(0), 20, 4000), "offset outside");
  }

  /**
   * A TCP stream from one namespace to another through two TUN devices and this test: the
   * sender's device has TSO on, so its kernel hands 64 KiB super-packets, which are segmented
   * here and written as plain packets into the receiver's device, whose kernel checks every
   * checksum. All bytes must arrive, in order, and super-packets must really have been seen.
   */
  @Test
  void realTcpStreamThroughSegmentation() throws Exception {
    try (NetnsLab lab = NetnsLab.create("tso", "10.250.12.0/24", "10.250.13.0/24")) {
      Netns a = lab.gateway();
      Netns b = lab.backend();
      try (TunDevice tunA = a.callInside(() -> TunDevice.open("vgtsoa%d", 1));
          TunDevice tunB = b.callInside(() -> TunDevice.open("vgtsob%d", 1))) {
        assertTrue(tunA.enableTcpSegmentationOffload(), "TUNSETOFFLOAD accepted");
        up(a, tunA, "10.250.11.1/24");
        up(b, tunB, "10.250.11.2/24");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong superPackets = new AtomicLong();
        Thread ab = relay(tunA.queue(0), tunB.queue(0), true, running, superPackets);
        Thread ba = relay(tunB.queue(0), tunA.queue(0), false, running, superPackets);
        try (ServerSocket server = b.callInside(() -> {
          ServerSocket s = new ServerSocket();
          s.bind(new InetSocketAddress("10.250.11.2", 0));
          return s;
        })) {
          server.setSoTimeout(20_000);
          byte[] data = new byte[8 << 20];
          new Random(7).nextBytes(data);
          Thread sender = new Thread(() -> {
            try (Socket c = a.callInside(() -> new Socket("10.250.11.2", server.getLocalPort()));
                OutputStream out = c.getOutputStream()) {
              out.write(data);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          sender.start();
          MessageDigest received = MessageDigest.getInstance("SHA-256");
          long total = 0;
          try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
            accepted.setSoTimeout(20_000);
            byte[] chunk = new byte[65536];
            for (int r; (r = in.read(chunk)) > 0; ) {
              received.update(chunk, 0, r);
              total += r;
            }
          }
          sender.join(20_000);
          assertEquals(data.length, total, "every byte arrived");
          assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), received.digest(),
              "the bytes arrived intact and in order");
          assertTrue(superPackets.get() > 0, "the kernel handed super-packets");
        } finally {
          running.set(false);
          tunA.queue(0).wakeup();
          tunB.queue(0).wakeup();
          ab.join(2000);
          ba.join(2000);
        }
      }
    }
  }

  private static void up(Netns ns, TunDevice tun, String cidr) {
    ns.execOk("ip", "addr", "add", cidr, "dev", tun.name());
    ns.execOk("ip", "link", "set", tun.name(), "up");
  }

  /** Copies packets from one device to the other, segmenting when {@code offload} is on. */
  private static Thread relay(TunQueue from, TunQueue to, boolean offload, AtomicBoolean running,
      AtomicLong superPackets) {
    Thread t = new Thread(() -> {
      ByteBuffer in = ByteBuffer.allocateDirect(65536);
      ByteBuffer out = ByteBuffer.allocateDirect(65536);
      TsoSegmenter segmenter = new TsoSegmenter(0, 0);
      TsoSegmenter.Sink write = s -> {
        out.clear();
        out.put(s).flip();
        try {
          to.write(out);
        } catch (IOException e) {
          // the receiving kernel refused it: TCP retransmits, the test sees the stall
        }
      };
      while (running.get()) {
        try {
          in.clear();
          if (from.read(in, -1) <= 0) {
            continue;
          }
          in.flip();
          if (offload && from.lastGsoType() != 0) {
            superPackets.incrementAndGet();
            segmenter.segment(in, from.lastGsoSize(), write);
          } else {
            if (offload && (from.lastFlags() & TunQueue.VNET_F_NEEDS_CSUM) != 0) {
              TsoSegmenter.completeChecksum(in, from.lastChecksumStart(),
                  from.lastChecksumOffset());
            }
            write.accept(in);
          }
        } catch (IOException e) {
          return;
        }
      }
    }, "tso-relay");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** An IPv4/TCP packet with a 12-byte option block, valid checksums, payload of a pattern. */
  private static ByteBuffer tcp(int payload, int flags, int seq, int ipId) {
    int thl = 32;
    int len = 20 + thl + payload;
    ByteBuffer b = ByteBuffer.allocate(len);
    b.put(0, (byte) 0x45).putShort(2, (short) len).putShort(4, (short) ipId)
        .putShort(6, (short) 0x4000).put(8, (byte) 64).put(9, (byte) 6)
        .putInt(12, SRC).putInt(16, DST);
    b.putShort(10, (short) checksum(b, 0, 20));
    b.putShort(20, (short) 40000).putShort(22, (short) 5201).putInt(24, seq).putInt(28, 99)
        .put(32, (byte) ((thl / 4) << 4)).put(33, (byte) flags).putShort(34, (short) 502);
    b.putInt(40, 0x0101080a).putInt(44, 0x01020304).putInt(48, 0x05060708);
    for (int i = 0; i < payload; i++) {
      b.put(20 + thl + i, (byte) (i * 31 + 7));
    }
    b.putShort(36, (short) tcpChecksum(b));
    return b;
  }

  private static byte[] options(ByteBuffer ip) {
    byte[] o = new byte[12];
    ip.get(ip.position() + 40, o);
    return o;
  }

  private static byte[] payloadOf(ByteBuffer ip) {
    byte[] p = new byte[ip.limit() - 52];
    ip.get(52, p);
    return p;
  }

  /** The TCP checksum over pseudo-header and segment; 0 when the stored checksum is valid. */
  private static int tcpChecksum(ByteBuffer ip) {
    int p = ip.position();
    int tcpLen = ip.limit() - p - 20;
    ByteBuffer pseudo = ByteBuffer.allocate(12 + tcpLen);
    pseudo.putInt(ip.getInt(p + 12)).putInt(ip.getInt(p + 16)).put((byte) 0).put((byte) 6)
        .putShort((short) tcpLen);
    pseudo.put(ip.duplicate().position(p + 20));
    return checksum(pseudo, 0, pseudo.capacity());
  }
}
