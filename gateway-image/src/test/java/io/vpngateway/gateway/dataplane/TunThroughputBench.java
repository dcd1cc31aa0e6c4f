package io.vpngateway.gateway.dataplane;

import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.gateway.net.HostNetworkConfigurator;
import io.vpngateway.gateway.net.ProcessCommandRunner;
import io.vpngateway.gateway.net.TunnelNetworkPlan;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tun.TunDevice;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Packet rate of the real TUN path in a lab namespace (not a unit test: run by hand, see
 * BENCHMARKS.md). Two directions, each for a bounded time:
 *
 * <ul>
 *   <li>to clients: a UDP sender in the backend namespace sends to a client address; the kernel
 *       routes into the TUN; the readers dispatch to a session that counts;
 *   <li>from clients: sessions write UDP packets through their sinks into the TUN; a receiver in
 *       the backend namespace counts what arrives.
 * </ul>
 *
 * Arguments: {@code queues seconds payloadBytes} (defaults 2 3 1372).
 */
public final class TunThroughputBench {
  private TunThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int queues = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int seconds = Math.min(10, args.length > 1 ? Integer.parseInt(args[1]) : 3);
    int payload = args.length > 2 ? Integer.parseInt(args[2]) : 1372;
    try (NetnsLab lab = NetnsLab.create("tunbench", "10.254.31.0/24", "10.254.32.0/24")) {
      TunDevice tun = lab.gateway().callInside(() -> TunDevice.open("vgbench0", queues));
      HostNetworkConfigurator net = new HostNetworkConfigurator(new ProcessCommandRunner());
      lab.gateway()
          .callInside(
              () -> {
                net.apply(
                    new TunnelNetworkPlan(
                        "vgbench0",
                        1500,
                        List.of("10.254.39.1/24"),
                        List.of(),
                        false,
                        List.of(Ipv4Cidr.parse("10.254.39.0/24")),
                        false));
                return null;
              });
      lab.routeClientPoolFromBackend("10.254.39.0/24");
      SessionRegistry registry = new SessionRegistry();
      AtomicLong delivered = new AtomicLong();
      for (int i = 0; i < 8; i++) {
        registry.register(
            new FakeSession("10.254.39." + (10 + i)) {
              @Override
              public void deliverFromTun(ByteBuffer ipPacket) {
                delivered.incrementAndGet();
              }
            });
      }
      try (DataPlane dp = new DataPlane(tun, registry, DataPlaneOptions.defaults())) {
        dp.start();
        toClients(lab, dp, delivered, seconds, payload, queues);
        fromClients(lab, dp, seconds, payload, queues);
      } finally {
        tun.close();
      }
    }
  }

  private static void toClients(
      NetnsLab lab, DataPlane dp, AtomicLong delivered, int seconds, int payload, int queues)
      throws Exception {
    long sent =
        lab.backend()
            .callInside(
                () -> {
                  long n = 0;
                  // 8 destinations x 64 ports: many flows, so a multi-queue TUN spreads them
                  InetSocketAddress[] targets = new InetSocketAddress[512];
                  for (int i = 0; i < targets.length; i++) {
                    targets[i] =
                        new InetSocketAddress("10.254.39." + (10 + (i & 7)), 9000 + (i >> 3));
                  }
                  try (DatagramChannel ch = DatagramChannel.open()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(payload);
                    long end = System.nanoTime() + seconds * 1_000_000_000L;
                    while (System.nanoTime() < end) {
                      buf.clear();
                      ch.send(buf, targets[(int) (n & 511)]);
                      n++;
                    }
                  }
                  return n;
                });
    Thread.sleep(200); // let the readers drain the queues before reading the counter
    report(
        "backend -> TUN -> session",
        queues,
        seconds,
        payload,
        sent,
        delivered.get(),
        dp.stats().droppedNoSession());
  }

  private static void fromClients(NetnsLab lab, DataPlane dp, int seconds, int payload, int queues)
      throws Exception {
    AtomicLong received = new AtomicLong();
    DatagramChannel rx =
        lab.backend()
            .callInside(
                () ->
                    DatagramChannel.open().bind(new InetSocketAddress(lab.backendAddress(), 7777)));
    Thread receiver =
        new Thread(
            () -> {
              ByteBuffer b = ByteBuffer.allocateDirect(2048);
              try {
                while (true) {
                  b.clear();
                  rx.receive(b);
                  received.incrementAndGet();
                }
              } catch (Exception closed) {
                // channel closed at the end of the run
              }
            });
    receiver.start();
    int dst = Packets.ipv4(lab.backendAddress());
    Thread[] writers = new Thread[queues];
    AtomicLong written = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    for (int w = 0; w < queues; w++) {
      String client = "10.254.39." + (10 + w);
      InnerPacketSink sink =
          dp.sinkFor((java.net.Inet4Address) java.net.InetAddress.getByName(client));
      ByteBuffer packet = Packets.udp(Packets.ipv4(client), dst, 5000 + w, 7777, payload);
      writers[w] =
          new Thread(
              () -> {
                long n = 0;
                while (System.nanoTime() < end) {
                  packet.limit(packet.capacity()).position(0);
                  sink.write(packet);
                  n++;
                }
                written.addAndGet(n);
              });
      writers[w].start();
    }
    for (Thread t : writers) {
      t.join();
    }
    Thread.sleep(200);
    rx.close();
    receiver.join(1000);
    report(
        "session -> sink -> TUN -> backend",
        queues,
        seconds,
        payload,
        written.get(),
        received.get(),
        dp.stats().droppedTunWriteError());
  }

  private static void report(
      String path, int queues, int seconds, int payload, long offered, long arrived, long dropped) {
    double pps = arrived / (double) seconds;
    double gbps = pps * (payload + 28) * 8 / 1e9;
    System.out.printf(
        "%-36s queues=%d payload=%d: offered %d, arrived %d (%.1f kpps, %.2f Gbit/s"
            + " of IP packets), drops counted %d%n",
        path, queues, payload, offered, arrived, pps / 1000, gbps, dropped);
  }
}
