package io.vpngateway.gateway.dataplane;

import static io.vpngateway.gateway.lab.Packets.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.net.HostNetworkConfigurator;
import io.vpngateway.gateway.net.ProcessCommandRunner;
import io.vpngateway.gateway.net.TunnelNetworkPlan;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tun.TunDevice;
import io.vpngateway.testing.Wait;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane inside a lab namespace: the backend pings addresses of the client pool, the kernel
 * of the gateway namespace routes them into a real TUN, and fake sessions answer.
 */
class DataPlaneTest {
  private static final String POOL = "10.254.9.0/24";

  private NetnsLab lab;
  private Netns gw;
  private TunDevice tun;
  private HostNetworkConfigurator network;
  private final SessionRegistry registry = new SessionRegistry();

  @BeforeEach
  void setUp() throws Exception {
    lab = NetnsLab.create("dataplane", "10.254.1.0/24", "10.254.2.0/24");
    gw = lab.gateway();
    tun = gw.callInside(() -> TunDevice.open("vgdp0", 2));
    network = new HostNetworkConfigurator(new ProcessCommandRunner());
    gw.callInside(
        () -> {
          network.apply(
              new TunnelNetworkPlan(
                  "vgdp0",
                  1400,
                  List.of("10.254.9.1/24"),
                  List.of(),
                  false,
                  List.of(Ipv4Cidr.parse(POOL)),
                  false));
          return null;
        });
    lab.routeClientPoolFromBackend(POOL);
  }

  @AfterEach
  void tearDown() {
    try {
      if (tun != null) {
        tun.close();
      }
    } finally {
      lab.close();
    }
  }

  @Test
  void packetsRoutedIntoTunReachTheSessionAndItsRepliesReachTheBackend() throws Exception {
    FakeSession client = new FakeSession("10.254.9.5");
    registry.register(client);
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      client.sink = dp.sinkFor(client.innerAddress());
      dp.start();
      assertEquals(2, dp.liveWorkers());

      PingResult ping = lab.ping(lab.backend(), "10.254.9.5", 3);
      assertTrue(ping.allReceived(), ping.output());
      assertTrue(client.received.size() >= 3, "session saw the requests");
      byte[] first = client.received.peek();
      assertEquals(
          ipv4(lab.backendAddress()),
          ByteBuffer.wrap(first).getInt(12),
          "routed, not NATed: the source is the backend");
      DataPlaneStats s = dp.stats();
      assertTrue(s.deliveredToSessions() >= 3, s.toString());
      assertTrue(s.packetsToTun() >= 3, "replies written to TUN: " + s);
      assertEquals(0, s.droppedSpoofedSource());
    }
  }

  /**
   * A packet for the gateway host is answered by the kernel inside the TUN write, and the TUN
   * driver queues the answer on the queue the flow was last written to (for a flow it has seen: the
   * first answer of a new flow goes by hash), so the writing thread finds it there at once and
   * takes it itself ({@link TunReplies}). The workers are not started: nothing else reads.
   */
  @Test
  void theThreadThatWroteAPingTakesTheKernelsAnswerItself() throws Exception {
    FakeSession client = new FakeSession("10.254.9.30");
    registry.register(client);
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      InnerPacketSink sink = dp.sinkFor(client.innerAddress());
      TunReplies replies = TunReplies.enableForCurrentThread();
      assertEquals(0, replies.take(4), "nothing written, nothing to take");
      int from = ipv4("10.254.9.30");
      int to = ipv4("10.254.9.1");
      sink.write(Packets.icmpEchoRequest(from, to, 0x5151, 1)); // the driver learns the flow
      replies.take(4);
      client.received.clear();
      for (int seq = 2; seq <= 4; seq++) {
        sink.write(Packets.icmpEchoRequest(from, to, 0x5151, seq));
        assertEquals(1, replies.take(4), "answer " + seq + " was queued before the write returned");
        ByteBuffer answer = ByteBuffer.wrap(client.received.poll());
        assertTrue(Packets.isIcmpEchoReply(answer, to, from, 0x5151), "the session got it");
      }
      assertEquals(0, replies.take(4), "each answer is taken once");
    }
  }

  /**
   * With the workers running, a writer that claims its queue ({@link TunReplies#claim}) gets every
   * answer itself and no worker wakes up for them: while the claim holds, the kernel's answer does
   * not wake the worker (the turn alone would only make a woken worker wait and then find nothing,
   * counted as an empty wake-up). After a release the worker still wakes for an answer the writer
   * left.
   */
  @Test
  void aClaimingWriterTakesEveryAnswerAndTheWorkerWakesForWhatItLeaves() throws Exception {
    java.util.Set<String> deliveredBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
    FakeSession client =
        new FakeSession("10.254.9.32") {
          @Override
          public void deliverFromTun(ByteBuffer ipPacket) {
            deliveredBy.add(Thread.currentThread().getName());
            super.deliverFromTun(ipPacket);
          }
        };
    registry.register(client);
    int from = ipv4("10.254.9.32");
    int to = ipv4("10.254.9.1");
    String me = Thread.currentThread().getName();
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      InnerPacketSink sink = dp.sinkFor(client.innerAddress());
      TunReplies replies = TunReplies.enableForCurrentThread();
      dp.start();
      sink.write(Packets.icmpEchoRequest(from, to, 0x5353, 1)); // the driver learns the flow
      replies.take(0); // the worker takes this one
      Wait.until("the first answer", Duration.ofSeconds(5), () -> !client.received.isEmpty());
      long emptyBefore = dp.emptyWorkerWakeups();
      for (int seq = 2; seq <= 40; seq++) {
        deliveredBy.clear();
        // the worker may still be in the burst of an earlier wake-up: claim once it is out
        org.awaitility.Awaitility.await("claim " + seq)
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .atMost(Duration.ofSeconds(5))
            .until(replies::claim);
        try {
          sink.write(Packets.icmpEchoRequest(from, to, 0x5353, seq));
          assertEquals(1, replies.take(4), "answer " + seq + " is the writer's");
        } finally {
          replies.release();
        }
        assertEquals(java.util.Set.of(me), deliveredBy, "answer " + seq + " not through a worker");
      }
      deliveredBy.clear();
      client.received.clear();
      org.awaitility.Awaitility.await("the last claim")
          .pollInSameThread()
          .atMost(Duration.ofSeconds(5))
          .until(replies::claim);
      try {
        sink.write(Packets.icmpEchoRequest(from, to, 0x5353, 41)); // left for the worker
      } finally {
        replies.release();
      }
      Wait.until(
          "a worker woke for the answer left",
          Duration.ofSeconds(5),
          () -> !client.received.isEmpty(),
          deliveredBy::toString);
      org.junit.jupiter.api.Assertions.assertFalse(deliveredBy.contains(me), deliveredBy.toString());
      assertEquals(
          emptyBefore,
          dp.emptyWorkerWakeups(),
          "no worker was woken for an answer the writer took (it would have found nothing)");
    }
  }

  /**
   * A writing thread must not take answers while the queue's worker is in a burst: what it took
   * would leave before the packets the worker holds unsent, reordering the flow. The worker is
   * held inside the dispatch of one answer (the session blocks); the answers queued behind it are
   * left to the worker, and the session sees the flow in order.
   */
  @Test
  void aWritingThreadTakesNothingWhileTheWorkerIsInABurstSoTheFlowStaysInOrder() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean holdNext =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.LinkedBlockingQueue<Integer> sequence =
        new java.util.concurrent.LinkedBlockingQueue<>();
    int from = ipv4("10.254.9.31");
    int to = ipv4("10.254.9.1");
    FakeSession client =
        new FakeSession("10.254.9.31") {
          @Override
          public void deliverFromTun(ByteBuffer ipPacket) {
            if (holdNext.compareAndSet(true, false)) {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            sequence.add(ipPacket.getShort(ipPacket.position() + 26) & 0xffff); // ICMP echo seq
            super.deliverFromTun(ipPacket);
          }
        };
    registry.register(client);
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      InnerPacketSink sink = dp.sinkFor(client.innerAddress());
      TunReplies replies = TunReplies.enableForCurrentThread();
      dp.start();
      sink.write(Packets.icmpEchoRequest(from, to, 0x5252, 1)); // the driver learns the flow
      replies.take(0);
      Wait.until(
          "the first answer", Duration.ofSeconds(5), () -> sequence.contains(1), sequence::toString);
      sequence.clear();
      try {
        holdNext.set(true);
        sink.write(Packets.icmpEchoRequest(from, to, 0x5252, 2));
        replies.take(0); // the worker takes answer 2 and is held inside its dispatch
        assertTrue(entered.await(5, java.util.concurrent.TimeUnit.SECONDS), "the worker took 2");
        for (int seq = 3; seq <= 6; seq++) {
          sink.write(Packets.icmpEchoRequest(from, to, 0x5252, seq));
        }
        assertEquals(0, replies.take(4), "answers 3-6 are left to the worker in its burst");
      } finally {
        release.countDown();
      }
      Wait.until(
          "all answers", Duration.ofSeconds(5), () -> sequence.size() >= 5, sequence::toString);
      assertEquals(List.of(2, 3, 4, 5, 6), List.copyOf(sequence), "the flow's order");
      assertEquals(0, replies.take(4), "the worker took them all");
    }
  }

  @Test
  void packetsForAddressesWithoutSessionAndIpv6AreDroppedAndCounted() throws Exception {
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      dp.start();
      assertEquals(0, lab.ping(lab.backend(), "10.254.9.77", 2).received());
      awaitStats(dp, s -> s.droppedNoSession() >= 2, "two no-session drops");

      // the configurator turns IPv6 off on the TUN; turn it back on to make the kernel send some
      gw.execOk("sysctl", "-q", "-w", "net.ipv6.conf.vgdp0.disable_ipv6=0");
      gw.execOk("ip", "-6", "addr", "add", "fd00:254::1/64", "dev", "vgdp0", "nodad");
      gw.exec("ping", "-6", "-c", "1", "-W", "1", "fd00:254::5");
      awaitStats(dp, s -> s.droppedNotIpv4() >= 1, "an IPv6 drop");
      assertEquals(0, dp.stats().deliveredToSessions());
    }
  }

  @Test
  void clientSinksDropSpoofedSourcesAndClientToClientUnlessEnabled() throws Exception {
    FakeSession a = new FakeSession("10.254.9.10");
    FakeSession b = new FakeSession("10.254.9.11");
    registry.register(a);
    registry.register(b);
    int srcA = ipv4("10.254.9.10");
    int dstB = ipv4("10.254.9.11");
    try (DataPlane closed = new DataPlane(tun, registry, DataPlaneOptions.defaults());
        DataPlane open =
            new DataPlane(tun, registry, DataPlaneOptions.defaults().withClientToClient(true))) {
      InnerPacketSink fromA = closed.sinkFor(a.innerAddress());
      fromA.write(Packets.udp(ipv4("10.254.9.99"), ipv4(lab.backendAddress()), 1, 2, 10));
      assertEquals(1, closed.stats().droppedSpoofedSource());

      fromA.write(Packets.udp(srcA, dstB, 1000, 2000, 10));
      assertEquals(1, closed.stats().droppedClientToClient());
      assertTrue(b.received.isEmpty());

      open.sinkFor(a.innerAddress()).write(Packets.udp(srcA, dstB, 1000, 2000, 10));
      assertEquals(1, open.stats().forwardedClientToClient());
      assertEquals(1, b.received.size());

      ByteBuffer garbage = ByteBuffer.allocateDirect(10);
      fromA.write(garbage);
      assertEquals(1, closed.stats().droppedMalformed());
    }
  }

  @Test
  void aProtocolsSinkChargesItsDropsToThatProtocol() throws Exception {
    FakeSession a = new FakeSession("10.254.9.10");
    registry.register(a);
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults())) {
      InnerPacketSink fromA = dp.sinkFor(VpnProtocol.IKEv2, a.innerAddress());
      fromA.write(Packets.udp(ipv4("10.254.9.99"), ipv4(lab.backendAddress()), 1, 2, 10));
      fromA.write(Packets.udp(ipv4("10.254.9.98"), ipv4(lab.backendAddress()), 1, 2, 10));
      assertEquals(2, dp.clientDrops(VpnProtocol.IKEv2).get("SpoofedSource"));
      assertEquals(0, dp.clientDrops(VpnProtocol.OpenVPN).get("SpoofedSource"));
      assertEquals(0, dp.clientDrops(VpnProtocol.SSTP).get("SpoofedSource"));
      assertEquals(0, dp.unattributedDrops().get("SpoofedSource"));
      assertEquals(2, dp.stats().droppedSpoofedSource(), "the totals include every protocol");

      dp.sinkFor(a.innerAddress())
          .write(Packets.udp(ipv4("10.254.9.99"), ipv4(lab.backendAddress()), 1, 2, 10));
      assertEquals(1, dp.unattributedDrops().get("SpoofedSource"));
      assertEquals(2, dp.clientDrops(VpnProtocol.IKEv2).get("SpoofedSource"));
    }
  }

  @Test
  void aSessionThatThrowsLosesOnlyItsPacket() throws Exception {
    FakeSession good = new FakeSession("10.254.9.20");
    registry.register(good);
    registry.register(
        new FakeSession("10.254.9.21") {
          @Override
          public void deliverFromTun(ByteBuffer ipPacket) {
            throw new IllegalStateException("broken session");
          }
        });
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      good.sink = dp.sinkFor(good.innerAddress());
      dp.start();
      lab.ping(lab.backend(), "10.254.9.21", 1);
      awaitStats(dp, s -> s.droppedSessionError() >= 1, "a session error");
      assertTrue(lab.ping(lab.backend(), "10.254.9.20", 1).allReceived());
      assertEquals(2, dp.liveWorkers());
    }
  }

  @Test
  void writingClientPacketsToTunAllocatesNothingPerPacket() throws Exception {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Prerequisites.require(
        mx instanceof ThreadMXBean, "the HotSpot thread allocation counter (com.sun.management)");
    ThreadMXBean threads = (ThreadMXBean) mx;
    FakeSession client = new FakeSession("10.254.9.30");
    registry.register(client);
    try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults().withMtu(1400))) {
      InnerPacketSink sink = dp.sinkFor(client.innerAddress());
      // to the discard port of the backend, inside the lab; 2 x 20000 small packets
      ByteBuffer packet =
          Packets.udp(ipv4("10.254.9.30"), ipv4(lab.backendAddress()), 40000, 9, 32);
      Runnable burst =
          () -> {
            for (int i = 0; i < 20_000; i++) {
              packet.limit(packet.capacity()).position(0);
              sink.write(packet);
            }
          };
      burst.run();
      long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
      burst.run();
      long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      assertTrue(allocated < 20_000 / 100, "bytes allocated for 20000 writes: " + allocated);
      assertEquals(40_000, dp.stats().packetsToTun() + dp.stats().droppedTunWriteError());
      assertEquals(40_000, dp.stats().packetsToTun(), dp.stats().toString());
    }
  }

  private static void awaitStats(DataPlane dp, Predicate<DataPlaneStats> condition, String what) {
    Wait.until(what, Duration.ofSeconds(5), () -> condition.test(dp.stats()),
        () -> dp.stats().toString());
  }
}
