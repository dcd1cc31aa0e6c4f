package io.vpngateway.gateway.dataplane;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Packet counters of the data plane, shared by all workers and sinks. Drops of packets read from
 * the TUN (towards clients) are counted here; drops of packets from clients are counted in the
 * {@link SinkDrops} of the client's protocol (or {@link #unattributed} for a sink that belongs to
 * no protocol), all created up front so that counting never allocates.
 */
final class DataPlaneCounters {
  final LongAdder packetsFromTun = new LongAdder();
  final LongAdder bytesFromTun = new LongAdder();
  final LongAdder deliveredToSessions = new LongAdder();
  final LongAdder droppedNoSession = new LongAdder();
  final LongAdder droppedNotIpv4 = new LongAdder();
  final LongAdder droppedMalformed = new LongAdder();
  final LongAdder droppedSessionError = new LongAdder();
  final LongAdder packetsToTun = new LongAdder();
  final LongAdder bytesToTun = new LongAdder();
  final LongAdder forwardedClientToClient = new LongAdder();
  /** A TUN worker woke for its queue and found nothing: another thread took the packets. */
  final LongAdder emptyWorkerWakeups = new LongAdder();
  final SinkDrops unattributed = new SinkDrops();
  private final Map<VpnProtocol, SinkDrops> byProtocol = new EnumMap<>(VpnProtocol.class);

  DataPlaneCounters() {
    for (VpnProtocol p : VpnProtocol.values()) {
      byProtocol.put(p, new SinkDrops());
    }
  }

  SinkDrops of(VpnProtocol protocol) {
    return byProtocol.get(protocol);
  }

  /** Drops of packets read from the TUN, by reason (no client protocol to charge them to). */
  Map<String, Long> tunDrops() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("NoSession", droppedNoSession.sum());
    m.put("NotIpv4", droppedNotIpv4.sum());
    m.put("MalformedIpv4", droppedMalformed.sum());
    m.put("SessionError", droppedSessionError.sum());
    return m;
  }

  DataPlaneStats snapshot() {
    long notIpv4 = droppedNotIpv4.sum();
    long malformed = droppedMalformed.sum();
    long sessionError = droppedSessionError.sum();
    long tunWriteError = 0;
    long spoofed = 0;
    long clientToClient = 0;
    for (SinkDrops d : allSinkDrops()) {
      notIpv4 += d.notIpv4.sum();
      malformed += d.malformed.sum();
      sessionError += d.peerSessionError.sum();
      tunWriteError += d.tunWriteError.sum();
      spoofed += d.spoofedSource.sum();
      clientToClient += d.clientToClient.sum();
    }
    return new DataPlaneStats(
        packetsFromTun.sum(),
        bytesFromTun.sum(),
        deliveredToSessions.sum(),
        droppedNoSession.sum(),
        notIpv4,
        malformed,
        sessionError,
        packetsToTun.sum(),
        bytesToTun.sum(),
        tunWriteError,
        spoofed,
        clientToClient,
        forwardedClientToClient.sum());
  }

  private List<SinkDrops> allSinkDrops() {
    List<SinkDrops> all = new ArrayList<>(byProtocol.values());
    all.add(unattributed);
    return all;
  }
}
