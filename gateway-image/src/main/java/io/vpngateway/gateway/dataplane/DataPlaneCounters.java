package io.vpngateway.gateway.dataplane;

import java.util.concurrent.atomic.LongAdder;

/** Packet counters of the data plane, shared by all workers and sinks. */
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
  final LongAdder droppedTunWriteError = new LongAdder();
  final LongAdder droppedSpoofedSource = new LongAdder();
  final LongAdder droppedClientToClient = new LongAdder();
  final LongAdder forwardedClientToClient = new LongAdder();

  DataPlaneStats snapshot() {
    return new DataPlaneStats(
        packetsFromTun.sum(),
        bytesFromTun.sum(),
        deliveredToSessions.sum(),
        droppedNoSession.sum(),
        droppedNotIpv4.sum(),
        droppedMalformed.sum(),
        droppedSessionError.sum(),
        packetsToTun.sum(),
        bytesToTun.sum(),
        droppedTunWriteError.sum(),
        droppedSpoofedSource.sum(),
        droppedClientToClient.sum(),
        forwardedClientToClient.sum());
  }
}
