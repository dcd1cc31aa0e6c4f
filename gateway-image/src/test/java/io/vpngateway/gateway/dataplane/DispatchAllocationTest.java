package io.vpngateway.gateway.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.session.SessionRegistry;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The reader's per-packet path (checks, lookup, hand-over, counters) allocates nothing. */
class DispatchAllocationTest {
  @Test
  void dispatchingPacketsAllocatesNothingPerPacket() throws Exception {
    Prerequisites.require(
        ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
        "the HotSpot thread allocation counter (com.sun.management)");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    SessionRegistry registry = new SessionRegistry();
    AtomicLong delivered = new AtomicLong();
    int base = 0x0a090002;
    for (int i = 0; i < 1000; i++) {
      int a = base + i;
      registry.register(
          new FakeSession("10.9." + ((a >>> 8) & 0xff) + "." + (a & 0xff)) {
            @Override
            public void deliverFromTun(ByteBuffer ipPacket) {
              delivered.incrementAndGet();
            }
          });
    }
    DataPlaneCounters counters = new DataPlaneCounters();
    TunReader reader =
        new TunReader(
            null, registry, counters, DataPlaneOptions.defaults(), new AtomicBoolean(true));
    ByteBuffer packet = ByteBuffer.allocateDirect(1600);
    packet.put(Packets.udp(0xc0a80002, base, 1, 2, 100));
    int length = packet.position();

    Runnable burst =
        () -> {
          for (int i = 0; i < 200_000; i++) {
            packet.limit(length).position(0);
            // every 8th packet has no session, to cover the drop path as well
            packet.putInt(16, (i & 7) == 7 ? 0x0b000001 : base + (i % 1000));
            reader.dispatch(packet, length);
          }
        };
    burst.run(); // warm up (class loading, LongAdder cells)
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    burst.run();
    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;

    assertTrue(allocated < 200_000 / 100, "bytes allocated for 200000 packets: " + allocated);
    assertEquals(2 * 175_000, delivered.get());
    assertEquals(2 * 25_000, counters.droppedNoSession.sum());
  }
}
