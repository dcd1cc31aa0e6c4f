package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.dataplane.DataPlane;
import io.vpngateway.gateway.dataplane.DataPlaneStats;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;

/**
 * Metric families read from components that keep their own counters: the data plane (packets
 * between TUN and sessions, drops by reason) and each protocol server (packets dropped before
 * reaching a session).
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
      w.family(
          "vpngw_dataplane_dropped_packets_total",
          "counter",
          "Inner packets the data plane dropped, by reason.");
      w.sample(
          "vpngw_dataplane_dropped_packets_total", s.droppedNoSession(), "reason", "NoSession");
      w.sample("vpngw_dataplane_dropped_packets_total", s.droppedNotIpv4(), "reason", "NotIpv4");
      w.sample(
          "vpngw_dataplane_dropped_packets_total", s.droppedMalformed(), "reason", "Malformed");
      w.sample(
          "vpngw_dataplane_dropped_packets_total",
          s.droppedSessionError(),
          "reason",
          "SessionError");
      w.sample(
          "vpngw_dataplane_dropped_packets_total",
          s.droppedTunWriteError(),
          "reason",
          "TunWriteError");
      w.sample(
          "vpngw_dataplane_dropped_packets_total",
          s.droppedSpoofedSource(),
          "reason",
          "SpoofedSource");
      w.sample(
          "vpngw_dataplane_dropped_packets_total",
          s.droppedClientToClient(),
          "reason",
          "ClientToClientDisabled");
    };
  }

  static MetricsCollector openVpn(OpenVpnServerStats s) {
    return w -> {
      w.family(
          "vpngw_openvpn_dropped_packets_total",
          "counter",
          "OpenVPN packets dropped before reaching a session, by reason.");
      w.sample(
          "vpngw_openvpn_dropped_packets_total", s.malformedDropped.sum(), "reason", "Malformed");
      w.sample(
          "vpngw_openvpn_dropped_packets_total",
          s.authenticationDropped.sum(),
          "reason",
          "AuthenticationFailed");
      w.sample(
          "vpngw_openvpn_dropped_packets_total",
          s.unknownSessionDropped.sum(),
          "reason",
          "UnknownSession");
      w.sample(
          "vpngw_openvpn_dropped_packets_total",
          s.rateLimitedHandshakes.sum(),
          "reason",
          "HandshakeRateLimited");
      w.sample("vpngw_openvpn_dropped_packets_total", s.policyDropped.sum(), "reason", "Policy");
      w.family(
          "vpngw_openvpn_renegotiations_total",
          "counter",
          "OpenVPN data-channel key renegotiations.");
      w.sample("vpngw_openvpn_renegotiations_total", s.renegotiations.sum());
    };
  }
}
