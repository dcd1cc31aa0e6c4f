package io.vpngateway.gateway.dataplane;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TsoSegmenter;
import io.vpngateway.gateway.tun.TunQueue;
import io.vpngateway.gateway.udp.UdpSendBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker of one TUN queue: reads a packet into its one direct buffer, finds the session that
 * owns the destination address and hands the packet over, then reuses the buffer. Nothing is
 * allocated per packet. A session that throws loses that packet only.
 *
 * <p>With segmentation offload the kernel hands TCP super-packets of up to 64 KiB, which the
 * worker cuts into segments ({@link TsoSegmenter}) and dispatches one by one; packets whose
 * checksum the kernel left to us are finished first. The worker drains its queue in bursts of up
 * to {@link #BURST} packets and flushes its {@link UdpSendBatch} before it waits again, so the
 * datagrams one super-packet becomes leave in one system call. It waits without a timeout; {@link
 * TunQueue#wakeup()} ends the wait when the data plane stops, so an idle worker costs nothing.
 *
 * <p>Each burst (read, dispatch, flush) holds the queue's turn, a lock shared with the readers
 * other threads make of the same queue ({@link TunReplies}): they read only while they can take
 * the turn without waiting, and flush before they give it back. So the packets one thread holds
 * unsent are never overtaken by later packets of the queue that another thread read, and a flow's
 * order through the tunnel is kept. The worker waits for the queue without the turn.
 */
final class TunReader implements Runnable {
  private static final Logger LOG = Logger.getLogger(TunReader.class.getName());
  /** Packets read before the send batch is flushed: bounds the latency batching adds. */
  static final int BURST = Integer.getInteger("vpngw.tun.burst", 16);
  private static final int MAX_PACKET = 65535;

  private final TunQueue queue;
  private final SessionRegistry registry;
  private final DataPlaneCounters counters;
  private final DataPlaneOptions options;
  private final AtomicBoolean running;
  private final boolean offload;
  private final ByteBuffer buffer;
  private final TsoSegmenter segmenter;
  private final TsoSegmenter.Sink toSession = p -> dispatch(p, p.remaining());
  /** The queue's turn: held across each read-dispatch-flush burst (see the class comment). */
  private final ReentrantLock turn;

  /** A worker of a queue without offloads. */
  TunReader(
      TunQueue queue,
      SessionRegistry registry,
      DataPlaneCounters counters,
      DataPlaneOptions options,
      AtomicBoolean running) {
    this(queue, registry, counters, options, running, false, new ReentrantLock());
  }

  /**
   * @param offload the device hands super-packets and partial checksums (segmentation offload is
   *     on)
   * @param turn the queue's turn, the same lock for every reader of {@code queue}
   */
  TunReader(
      TunQueue queue,
      SessionRegistry registry,
      DataPlaneCounters counters,
      DataPlaneOptions options,
      AtomicBoolean running,
      boolean offload,
      ReentrantLock turn) {
    this.turn = turn;
    this.queue = queue;
    this.registry = registry;
    this.counters = counters;
    this.options = options;
    this.running = running;
    this.offload = offload;
    int largest = offload ? MAX_PACKET : options.mtu();
    this.buffer = ByteBuffer.allocateDirect(options.headroom() + largest + options.tailroom());
    this.segmenter = offload ? new TsoSegmenter(options.headroom(), options.tailroom()) : null;
  }

  @Override
  public void run() {
    UdpSendBatch sends = UdpSendBatch.enableForCurrentThread();
    try {
      boolean woke = false;
      while (running.get()) {
        int n = burst(sends);
        if (n == 0 && woke) {
          counters.emptyWorkerWakeups.increment();
        }
        // the queue was empty: wait, without the turn
        woke = n < BURST && queue.awaitReadable(-1);
      }
    } catch (IOException e) {
      if (running.get()) {
        LOG.log(Level.SEVERE, "TUN read failed, worker of " + queue + " stops", e);
      }
    } finally {
      UdpSendBatch.disableForCurrentThread();
    }
  }

  /**
   * With the queue's turn: reads and dispatches up to {@link #BURST} packets already queued, their
   * datagrams joined in one send batch, and flushes it; the number read.
   */
  private int burst(UdpSendBatch sends) throws IOException {
    turn.lock();
    try {
      int n = 0;
      while (n < BURST && readAndDispatch(0)) {
        n++;
      }
      sends.flush();
      return n;
    } finally {
      turn.unlock();
    }
  }

  /**
   * Reads and dispatches up to {@code max} packets the queue already holds, without waiting, and
   * flushes the calling thread's {@link UdpSendBatch}; the number read. Reads nothing when another
   * reader of the queue holds its turn (the worker is in a burst: what this thread read could
   * overtake the packets the worker holds unsent). For another thread than the worker's (see
   * {@link TunReplies}): each thread needs its own {@code TunReader}.
   */
  int drain(int max) throws IOException {
    if (!turn.tryLock()) {
      return 0;
    }
    try {
      int n = 0;
      while (n < max && readAndDispatch(0)) {
        n++;
      }
      UdpSendBatch sends = UdpSendBatch.current();
      if (sends != null) {
        sends.flush(); // before the turn is given back
      }
      return n;
    } finally {
      turn.unlock();
    }
  }

  /**
   * For a thread other than the worker's, before it writes packets whose answers it will take
   * ({@link TunReplies#claim}): takes the queue's turn if that needs no wait (the worker is not in a
   * burst) and holds the worker's wake-ups ({@link TunQueue#holdReaderWakeups}); false, with
   * nothing held, otherwise. The caller then writes, {@link #drain drains} and must {@link
   * #release} in a {@code finally}.
   */
  boolean claim() {
    if (!turn.tryLock()) {
      return false;
    }
    try {
      queue.holdReaderWakeups();
      return true;
    } catch (IOException e) {
      turn.unlock();
      LOG.log(Level.FINE, "holding the wake-ups of " + queue + " failed", e);
      return false;
    }
  }

  /** Ends a {@link #claim}: the worker is woken if packets are left, then the turn is given back. */
  void release() {
    try {
      queue.releaseReaderWakeups();
    } finally {
      turn.unlock();
    }
  }

  /** Reads one packet (waiting up to {@code timeoutMillis}) and dispatches it; false if none. */
  private boolean readAndDispatch(int timeoutMillis) throws IOException {
    int headroom = options.headroom();
    buffer.limit(buffer.capacity() - options.tailroom()).position(headroom);
    int n = queue.read(buffer, timeoutMillis);
    if (n <= 0) {
      return false;
    }
    buffer.limit(headroom + n).position(headroom);
    if (!offload) {
      dispatch(buffer, n);
      return true;
    }
    if (queue.lastGsoType() != 0) {
      int type = queue.lastGsoType() & ~TunQueue.VNET_GSO_ECN;
      if (type != TunQueue.VNET_GSO_TCPV4
          || segmenter.segment(buffer, queue.lastGsoSize(), toSession) < 0) {
        counters.packetsFromTun.increment();
        counters.droppedMalformed.increment();
      }
      return true;
    }
    if ((queue.lastFlags() & TunQueue.VNET_F_NEEDS_CSUM) != 0
        && !TsoSegmenter.completeChecksum(
            buffer, queue.lastChecksumStart(), queue.lastChecksumOffset())) {
      counters.packetsFromTun.increment();
      counters.droppedMalformed.increment();
      return true;
    }
    dispatch(buffer, n);
    return true;
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
