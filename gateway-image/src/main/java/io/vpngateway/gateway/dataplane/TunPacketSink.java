package io.vpngateway.gateway.dataplane;

import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TcpSegmentCoalescer;
import io.vpngateway.gateway.tun.TunQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes decrypted packets from client sessions into the kernel through the TUN device.
 *
 * <p>Before writing, a packet is checked: it must be a well-formed IPv4 packet; when the sink
 * belongs to one client, its source must be that client's inner address (a client cannot spoof
 * another's address); when the destination is another client, it goes straight to that session if
 * client-to-client traffic is allowed and is dropped otherwise. Drops are counted in the {@link
 * SinkDrops} of the sink's protocol. Everything else is written to a TUN
 * queue chosen by the writing thread, which also lets the TUN driver steer the replies of a flow to
 * the queue it was written on. A thread that batches (an OpenVPN UDP receive thread) writes through
 * its {@link TcpSegmentCoalescer}, which may hold the packet until the thread flushes.
 *
 * <p>After {@link #write} the buffer's position and limit are unspecified; its bytes are not
 * modified and it is not retained.
 */
final class TunPacketSink implements InnerPacketSink {
  private static final Logger LOG = Logger.getLogger(TunPacketSink.class.getName());
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final TunQueue[] queues;
  private final SessionRegistry registry;
  private final DataPlaneCounters counters;
  private final SinkDrops drops;
  private final boolean clientToClient;
  private final boolean checkSource;
  private final int expectedSource;
  /** Makes a reader of a queue for a thread that takes its answers ({@link TunReplies}). */
  private final Function<TunQueue, TunReader> replyReaders;
  private volatile long lastErrorLog;

  TunPacketSink(
      List<TunQueue> queues,
      SessionRegistry registry,
      DataPlaneCounters counters,
      SinkDrops drops,
      boolean clientToClient,
      boolean checkSource,
      int expectedSource) {
    this(queues, registry, counters, drops, clientToClient, checkSource, expectedSource, null);
  }

  /** As above; {@code replyReaders} (null: none) lets writing threads take the answers. */
  TunPacketSink(
      List<TunQueue> queues,
      SessionRegistry registry,
      DataPlaneCounters counters,
      SinkDrops drops,
      boolean clientToClient,
      boolean checkSource,
      int expectedSource,
      Function<TunQueue, TunReader> replyReaders) {
    this.replyReaders = replyReaders;
    this.queues = queues.toArray(TunQueue[]::new);
    this.registry = registry;
    this.counters = counters;
    this.drops = drops;
    this.clientToClient = clientToClient;
    this.checkSource = checkSource;
    this.expectedSource = expectedSource;
  }

  @Override
  public void write(ByteBuffer packet) {
    int kind = Ipv4Packets.classify(packet);
    if (kind != Ipv4Packets.VALID) {
      (kind == Ipv4Packets.NOT_IPV4 ? drops.notIpv4 : drops.malformed).increment();
      return;
    }
    if (checkSource && Ipv4Packets.source(packet) != expectedSource) {
      drops.spoofedSource.increment();
      return;
    }
    TunnelSession peer = registry.lookup(Ipv4Packets.destination(packet));
    if (peer != null) {
      toPeer(peer, packet);
      return;
    }
    int length = packet.remaining();
    TunQueue queue = queues[(int) ((Thread.currentThread().getId() & 0x7fffffff) % queues.length)];
    try {
      TcpSegmentCoalescer coalescer = TcpSegmentCoalescer.current();
      if (coalescer != null) {
        coalescer.offer(queue, packet);
      } else {
        queue.write(packet);
      }
      counters.packetsToTun.increment();
      counters.bytesToTun.add(length);
      if (replyReaders != null) {
        TunReplies replies = TunReplies.current();
        if (replies != null) {
          replies.wrote(queue, replyReaders);
        }
      }
    } catch (IOException | RuntimeException e) {
      drops.tunWriteError.increment();
      logRateLimited(e);
    }
  }

  private void toPeer(TunnelSession peer, ByteBuffer packet) {
    if (!clientToClient) {
      drops.clientToClient.increment();
      return;
    }
    try {
      peer.deliverFromTun(packet);
      counters.forwardedClientToClient.increment();
    } catch (RuntimeException e) {
      drops.peerSessionError.increment();
      logRateLimited(e);
    }
  }

  private void logRateLimited(Exception e) {
    long now = System.nanoTime();
    if (now - lastErrorLog > LOG_INTERVAL_NANOS) {
      lastErrorLog = now;
      LOG.log(Level.WARNING, "dropping client packets: " + e, e);
    }
  }
}
