package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.dataplane.DataPlane;
import io.vpngateway.gateway.dataplane.DataPlaneStats;
import io.vpngateway.gateway.metrics.MetricsCollector;

/**
 * Metrics read from the data plane, which keeps its own counters (packets between TUN and
 * sessions, drops by reason). Protocol servers contribute theirs through {@code ProtocolServer}.
 */
final class ComponentMetrics {
  private ComponentMetrics() {}

  static MetricsCollector dataPlane(DataPlane dataPlane) {
    return w -> {
      DataPlaneStats s = dataPlane.stats();
      w.family(
          "vpngw_packets_total",
          "counter",
          "Inner packets through the data plane: in = from clients to the network, out = to"
              + " clients.");
      w.sample("vpngw_packets_total", s.packetsToTun(), "direction", "in");
      w.sample("vpngw_packets_total", s.deliveredToSessions(), "direction", "out");
      w.family(
          "vpngw_bytes_total",
          "counter",
          "Inner bytes through the data plane: in = from clients, out = read for clients.");
      w.sample("vpngw_bytes_total", s.bytesToTun(), "direction", "in");
      w.sample("vpngw_bytes_total", s.bytesFromTun(), "direction", "out");
    };
  }
}
