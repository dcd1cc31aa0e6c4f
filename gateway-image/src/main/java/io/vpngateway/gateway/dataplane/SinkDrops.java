package io.vpngateway.gateway.dataplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The drops of packets coming from clients (a session's sink), kept per protocol so that {@code
 * vpngw_dropped_packets_total{protocol,reason}} says which protocol's clients sent them. The
 * reasons are the checks of {@link TunPacketSink}.
 */
final class SinkDrops {
  /** An inner packet that is not IPv4 (IPv6 is not routed through the tunnel). */
  final LongAdder notIpv4 = new LongAdder();
  /** An inner IPv4 packet with a broken header or length. */
  final LongAdder malformed = new LongAdder();
  /** An inner packet whose source is not the address the session was given. */
  final LongAdder spoofedSource = new LongAdder();
  /** An inner packet to another client while client-to-client traffic is off. */
  final LongAdder clientToClient = new LongAdder();
  /** An inner packet the kernel's TUN refused. */
  final LongAdder tunWriteError = new LongAdder();
  /** An inner packet for another client whose session threw on it. */
  final LongAdder peerSessionError = new LongAdder();

  /** Reason label to count, the labels of {@code vpngw_dropped_packets_total}. */
  Map<String, Long> byReason() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("NotIpv4", notIpv4.sum());
    m.put("MalformedIpv4", malformed.sum());
    m.put("SpoofedSource", spoofedSource.sum());
    m.put("ClientToClientDisabled", clientToClient.sum());
    m.put("TunWriteError", tunWriteError.sum());
    m.put("PeerSessionError", peerSessionError.sum());
    return m;
  }
}
