package io.vpngateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceCountersTest {
  @TempDir Path dir;

  @Test
  void readsTheTunInterfaceLineOfProcNetDev() throws Exception {
    Path dev = dir.resolve("dev");
    Files.writeString(
        dev,
        """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
        vpngw0: 5000000    4000    0    3    0     0          0         0  9000000    7000    0    5    0     0       0          0
        """);

    InterfaceCounters.Counters c = new InterfaceCounters("vpngw0", dev).read().orElseThrow();
    assertEquals(new InterfaceCounters.Counters(5000000, 4000, 3, 9000000, 7000, 5), c);

    PrometheusTextWriter w = new PrometheusTextWriter();
    new InterfaceCounters("vpngw0", dev).collect(w);
    assertTrue(w.toString().contains("vpngw_tun_packets_total{direction=\"out\"} 7000\n"));
    assertTrue(new InterfaceCounters("absent0", dev).read().isEmpty());
  }
}
