package io.vpngateway.gateway.tun;

import static io.vpngateway.gateway.lab.Packets.icmpEchoRequest;
import static io.vpngateway.gateway.lab.Packets.ipv4;
import static io.vpngateway.gateway.lab.Packets.isIcmpEchoReply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opens real TUN devices inside a lab namespace and exchanges packets with that kernel stack. */
class TunDeviceTest {
  private static final int GW = ipv4("10.250.7.1");

  private NetnsLab lab;
  private Netns ns;

  @BeforeEach
  void lab() throws Exception {
    lab = NetnsLab.create("tun", "10.250.5.0/24", "10.250.6.0/24");
    ns = lab.gateway();
  }

  @AfterEach
  void cleanup() {
    if (lab != null) {
      lab.close();
    }
  }

  private TunDevice openConfigured(int queues) throws Exception {
    TunDevice tun = ns.callInside(() -> TunDevice.open("vgtun%d", queues));
    ns.execOk("ip", "addr", "add", "10.250.7.1/24", "dev", tun.name());
    ns.execOk("ip", "link", "set", tun.name(), "up");
    return tun;
  }

  @Test
  void kernelAnswersAnEchoRequestWrittenToTheDevice() throws Exception {
    try (TunDevice tun = openConfigured(1)) {
      assertTrue(tun.name().startsWith("vgtun"), tun.name());
      int client = ipv4("10.250.7.2");
      tun.queue(0).write(icmpEchoRequest(client, GW, 0x4242, 1));

      ByteBuffer reply = awaitPacket(tun, p -> isIcmpEchoReply(p, GW, client, 0x4242));
      assertEquals(44, reply.limit(), "echo reply has the request's length");
    }
  }

  /**
   * While a writer holds the reader's wake-ups, an answer the kernel queues does not wake the thread
   * waiting on the queue (whether it was already waiting or starts to: the registration is off), and
   * the release wakes it at once for what is still queued. The writer takes answers itself with a
   * non-blocking read; when nothing is left, the release wakes nobody.
   */
  @Test
  void heldReaderWakeupsLeaveTheWaiterAsleepUntilTheReleaseFindsAPacketLeft() throws Exception {
    try (TunDevice tun = openConfigured(1)) {
      TunQueue q = tun.queue(0);
      int client = ipv4("10.250.7.3");
      ByteBuffer buf = ByteBuffer.allocateDirect(2048);
      // no IPv6 router solicitations or MLD reports of the kernel's own in the queue
      ns.execOk("sysctl", "-q", "-w", "net.ipv6.conf." + tun.name() + ".disable_ipv6=1");
      while (q.read(buf.clear(), 0) > 0) {
        // drop what the kernel sent before
      }

      q.holdReaderWakeups();
      CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> awaitReadable(q));
      q.write(icmpEchoRequest(client, GW, 0x4343, 1)); // answered inside the write, left queued
      await("the waiter stays asleep while an answer is queued")
          .during(Duration.ofMillis(400))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !waiter.isDone());
      q.releaseReaderWakeups();
      assertTrue(waiter.get(5, TimeUnit.SECONDS), "the release woke the waiter for the answer");
      assertTrue(q.read(buf, 0) > 0, "the answer was still there for whoever reads");

      q.holdReaderWakeups();
      CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> awaitReadable(q));
      q.write(icmpEchoRequest(client, GW, 0x4343, 2));
      buf.clear();
      assertTrue(q.read(buf, 0) > 0, "the writer takes the answer itself, without waiting");
      buf.flip();
      assertTrue(isIcmpEchoReply(buf, GW, client, 0x4343));
      q.releaseReaderWakeups();
      await("nothing left: the release wakes nobody")
          .during(Duration.ofMillis(400))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !second.isDone());
      q.wakeup();
      assertFalse(second.get(5, TimeUnit.SECONDS), "woken by wakeup(), not by a packet");
    }
  }

  private static boolean awaitReadable(TunQueue q) {
    try {
      return q.awaitReadable(-1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void multiQueueDeviceSpreadsFlowsAndEveryQueueWorks() throws Exception {
    try (TunDevice tun = openConfigured(4)) {
      assertEquals(4, tun.queues().size());
      String flags = ns.execOk("cat", "/sys/class/net/" + tun.name() + "/tun_flags").output();
      int f = Integer.decode(flags.trim());
      assertTrue((f & TunDevice.IFF_MULTI_QUEUE) != 0, "IFF_MULTI_QUEUE set: " + flags);

      // 16 clients, each request written through a different queue; every reply must come back
      Set<Integer> pending = new HashSet<>();
      for (int i = 0; i < 16; i++) {
        int client = ipv4("10.250.7." + (10 + i));
        pending.add(client);
        tun.queue(i % 4).write(icmpEchoRequest(client, GW, 0x5000 + i, 1));
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(2048);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        for (TunQueue q : tun.queues()) {
          buf.clear();
          if (q.read(buf, 10) > 0) {
            buf.flip();
            if (buf.get(9) == 1 && buf.get(20) == 0) {
              pending.remove(buf.getInt(16));
            }
          }
        }
      }
      assertTrue(pending.isEmpty(), "replies missing for " + pending.size() + " clients");
    }
  }

  @Test
  void closingTheLastQueueRemovesTheInterface() throws Exception {
    TunDevice tun = openConfigured(2);
    String name = tun.name();
    assertTrue(ns.exec("ip", "link", "show", name).ok());
    tun.close();
    assertFalse(ns.exec("ip", "link", "show", name).ok(), "interface gone after close");
  }

  @Test
  void readTimesOutWithZeroWhenNothingArrives() throws Exception {
    try (TunDevice tun = ns.callInside(() -> TunDevice.open("vgidle0", 1))) {
      // the link is down: the kernel sends nothing to it
      ByteBuffer buf = ByteBuffer.allocateDirect(2048);
      long start = System.nanoTime();
      assertEquals(0, tun.queue(0).read(buf, 100));
      assertTrue(System.nanoTime() - start >= 90_000_000L, "read waited for the timeout");
      assertEquals(0, buf.position());
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(
        IllegalArgumentException.class, () -> TunDevice.open("a-name-that-is-too-long", 1));
    assertThrows(IllegalArgumentException.class, () -> TunDevice.open("vg0", 0));
  }

  @Test
  void heapBuffersAreRefused() throws Exception {
    try (TunDevice tun = ns.callInside(() -> TunDevice.open("vgheap0", 1))) {
      assertThrows(
          IllegalArgumentException.class, () -> tun.queue(0).write(ByteBuffer.allocate(40)));
    }
  }

  private static ByteBuffer awaitPacket(
      TunDevice tun, java.util.function.Predicate<ByteBuffer> want) throws Exception {
    ByteBuffer buf = ByteBuffer.allocateDirect(2048);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      buf.clear();
      if (tun.queue(0).read(buf, 100) > 0) {
        buf.flip();
        if (want.test(buf)) {
          return buf;
        }
      }
    }
    throw new AssertionError("no matching packet within 5 s");
  }
}
