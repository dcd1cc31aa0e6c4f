package io.vpngateway.gateway.dataplane;

import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.gateway.session.SessionRegistry;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-packet work of a TUN reader after {@code read(2)} returns: IPv4 header checks, session
 * lookup by destination among {@code sessions} live sessions, hand-over to the session, counters.
 * Destinations rotate over all sessions so the lookup is not always the same cache line. Run with
 * {@code -prof gc} to see the allocation per packet (expected 0 B/op). See BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
  @Param({"100", "10000"})
  public int sessions;

  private TunReader reader;
  private ByteBuffer packet;
  private int[] destinations;
  private int next;

  @Setup
  public void setUp(Blackhole blackhole) throws Exception {
    SessionRegistry registry = new SessionRegistry();
    destinations = new int[sessions];
    int base = 0x0a080002;
    for (int i = 0; i < sessions; i++) {
      int address = base + i;
      destinations[i] = address;
      String dotted =
          (address >>> 24)
              + "."
              + ((address >>> 16) & 0xff)
              + "."
              + ((address >>> 8) & 0xff)
              + "."
              + (address & 0xff);
      registry.register(
          new FakeSession(dotted) {
            @Override
            public void deliverFromTun(ByteBuffer ipPacket) {
              blackhole.consume(ipPacket.get(ipPacket.limit() - 1));
            }
          });
    }
    reader =
        new TunReader(
            null,
            registry,
            new DataPlaneCounters(),
            DataPlaneOptions.defaults(),
            new java.util.concurrent.atomic.AtomicBoolean(true));
    packet = ByteBuffer.allocateDirect(64 + 1500);
    ByteBuffer udp = Packets.udp(0xc0a80002, base, 5201, 40000, 1400 - 28);
    packet.position(64);
    packet.put(udp);
  }

  @Benchmark
  public void dispatch() {
    int destination = destinations[next];
    next = next + 1 == destinations.length ? 0 : next + 1;
    packet.limit(64 + 1400).position(64);
    packet.putInt(64 + 16, destination);
    reader.dispatch(packet, 1400);
  }
}
