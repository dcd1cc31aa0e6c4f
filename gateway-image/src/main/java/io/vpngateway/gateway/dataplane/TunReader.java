package io.vpngateway.gateway.dataplane;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TunQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker of one TUN queue: reads a packet into its one direct buffer, finds the session that
 * owns the destination address and hands the packet over, then reuses the buffer. Nothing is
 * allocated per packet. A session that throws loses that packet only.
 */
final class TunReader implements Runnable {
  private static final Logger LOG = Logger.getLogger(TunReader.class.getName());

  private final TunQueue queue;
  private final SessionRegistry registry;
  private final DataPlaneCounters counters;
  private final DataPlaneOptions options;
  private final AtomicBoolean running;
  private final ByteBuffer buffer;

  TunReader(
      TunQueue queue,
      SessionRegistry registry,
      DataPlaneCounters counters,
      DataPlaneOptions options,
      AtomicBoolean running) {
    this.queue = queue;
    this.registry = registry;
    this.counters = counters;
    this.options = options;
    this.running = running;
    this.buffer =
        ByteBuffer.allocateDirect(options.headroom() + options.mtu() + options.tailroom());
  }

  @Override
  public void run() {
    int headroom = options.headroom();
    int readLimit = headroom + options.mtu();
    while (running.get()) {
      buffer.limit(readLimit).position(headroom);
      int n;
      try {
        n = queue.read(buffer, options.pollMillis());
      } catch (IOException e) {
        if (running.get()) {
          LOG.log(Level.SEVERE, "TUN read failed, worker of " + queue + " stops", e);
        }
        return;
      }
      if (n > 0) {
        buffer.limit(headroom + n).position(headroom);
        dispatch(buffer, n);
      }
    }
  }

  /** Routes one packet (position to limit) to its session. Package-private for the benchmark. */
  void dispatch(ByteBuffer packet, int length) {
    counters.packetsFromTun.increment();
    counters.bytesFromTun.add(length);
    int kind = Ipv4Packets.classify(packet);
    if (kind != Ipv4Packets.VALID) {
      (kind == Ipv4Packets.NOT_IPV4 ? counters.droppedNotIpv4 : counters.droppedMalformed)
          .increment();
      return;
    }
    TunnelSession session = registry.lookup(Ipv4Packets.destination(packet));
    if (session == null) {
      counters.droppedNoSession.increment();
      return;
    }
    try {
      session.deliverFromTun(packet);
      counters.deliveredToSessions.increment();
    } catch (RuntimeException e) {
      counters.droppedSessionError.increment();
      LOG.log(Level.FINE, "session " + session.id() + " failed on a packet", e);
    }
  }
}
