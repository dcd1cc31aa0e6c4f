package io.vpngateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class DroppedPacketsTest {
  @Test
  void sourcesOfOneProtocolAddUpAndProtocolsStayApart() {
    DroppedPackets dropped = new DroppedPackets();
    LongAdder serverReplays = new LongAdder();
    dropped.add("OpenVPN", () -> Map.of("Replay", serverReplays.sum(), "Malformed", 2L));
    dropped.add("OpenVPN", () -> Map.of("SpoofedSource", 3L, "Malformed", 1L));
    dropped.add("SSTP", () -> Map.of("SpoofedSource", 5L));
    dropped.add(DroppedPackets.NO_PROTOCOL, () -> Map.of("NoSession", 7L));
    serverReplays.add(4);

    assertEquals(4, dropped.value("OpenVPN", "Replay"), "read at scrape time, not at add");
    assertEquals(3, dropped.value("OpenVPN", "Malformed"));
    assertEquals(3, dropped.value("OpenVPN", "SpoofedSource"));
    assertEquals(5, dropped.value("SSTP", "SpoofedSource"));
    assertEquals(0, dropped.value("IKEv2", "SpoofedSource"));
    assertEquals(7, dropped.value("none", "NoSession"));
  }

  @Test
  void oneFamilyLabelledByProtocolAndReason() {
    DroppedPackets dropped = new DroppedPackets();
    dropped.add("SSTP", () -> Map.of("SendQueueFull", 2L));
    dropped.add("IKEv2", () -> Map.of("EspReplay", 1L));
    PrometheusTextWriter w = new PrometheusTextWriter();
    dropped.write(w);
    String text = w.toString();
    assertTrue(text.contains("# TYPE vpngw_dropped_packets_total counter\n"), text);
    assertTrue(
        text.contains(
            "vpngw_dropped_packets_total{protocol=\"IKEv2\",reason=\"EspReplay\"} 1\n"
                + "vpngw_dropped_packets_total{protocol=\"SSTP\",reason=\"SendQueueFull\"} 2\n"),
        text);
  }
}
