package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.dataplane.DataPlane;
import io.vpngateway.gateway.dataplane.DataPlaneStats;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import java.util.Map;

/**
 * Metrics read from components that keep their own counters: the data plane (packets between TUN
 * and sessions, drops by reason) and each protocol server (packets dropped before reaching a
 * session, renegotiations).
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

  /** The data plane's drops by reason. */
  static Map<String, Long> dataPlaneDrops(DataPlane dataPlane) {
    DataPlaneStats s = dataPlane.stats();
    return Map.of(
        "NoSession", s.droppedNoSession(),
        "NotIpv4", s.droppedNotIpv4(),
        "Malformed", s.droppedMalformed(),
        "SessionError", s.droppedSessionError(),
        "TunWriteError", s.droppedTunWriteError(),
        "SpoofedSource", s.droppedSpoofedSource(),
        "ClientToClientDisabled", s.droppedClientToClient());
  }

  /** The OpenVPN server's drops (before a packet reaches a session) by reason. */
  static Map<String, Long> openVpnDrops(OpenVpnServerStats s) {
    return Map.of(
        "Malformed", s.malformedDropped.sum(),
        "AuthenticationFailed", s.authenticationDropped.sum(),
        "UnknownSession", s.unknownSessionDropped.sum(),
        "HandshakeRateLimited", s.rateLimitedHandshakes.sum(),
        "TcpSendQueueFull", s.tcpSendQueueDropped.sum(),
        "TcpConnectionRefused", s.tcpConnectionsRefused.sum(),
        "ControlQueueFull", s.controlQueueDropped.sum());
  }

  static MetricsCollector openVpn(OpenVpnServerStats s) {
    return w -> {
      w.family(
          "vpngw_openvpn_renegotiations_total",
          "counter",
          "OpenVPN data-channel key renegotiations.");
      w.sample("vpngw_openvpn_renegotiations_total", s.renegotiations.sum());
    };
  }
}
