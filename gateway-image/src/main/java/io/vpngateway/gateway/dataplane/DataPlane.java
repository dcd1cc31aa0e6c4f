package io.vpngateway.gateway.dataplane;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tun.TunDevice;
import io.vpngateway.gateway.tun.TunQueue;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The gateway's packet path between the kernel and the client sessions.
 *
 * <ul>
 *   <li>Towards clients: one {@link TunReader} thread per TUN queue reads packets the kernel routes
 *       into the TUN, looks the destination up in the {@link SessionRegistry} and calls {@code
 *       TunnelSession.deliverFromTun}. With a multi-queue TUN the kernel spreads flows over the
 *       queues, so the work spreads over the cores.
 *   <li>From clients: sessions hand decrypted packets to a sink ({@link #sinkFor} for one client,
 *       with source-address checking, or {@link #sink()}), which writes them into the TUN.
 * </ul>
 *
 * <p>The data plane does not own the TUN device: close the device after {@link #close()}.
 */
public final class DataPlane implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DataPlane.class.getName());

  private final TunDevice tun;
  private final SessionRegistry registry;
  private final DataPlaneOptions options;
  private final DataPlaneCounters counters = new DataPlaneCounters();
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> workers = new ArrayList<>();
  private final InnerPacketSink anySourceSink;
  /** Each queue's turn, shared by its worker and the threads that take answers from it. */
  private final Map<TunQueue, ReentrantLock> turns = new IdentityHashMap<>();
  private volatile boolean offload;

  public DataPlane(TunDevice tun, SessionRegistry registry, DataPlaneOptions options) {
    this.tun = tun;
    this.registry = registry;
    this.options = options;
    for (TunQueue queue : tun.queues()) {
      turns.put(queue, new ReentrantLock());
    }
    this.anySourceSink =
        new TunPacketSink(
            tun.queues(),
            registry,
            counters,
            counters.unattributed,
            options.clientToClient(),
            false,
            0,
            this::replyReader);
  }

  /** A reader of {@code queue} for a thread that takes the kernel's answers itself. */
  private TunReader replyReader(TunQueue queue) {
    return new TunReader(queue, registry, counters, options, running, offload, turns.get(queue));
  }

  /** Starts one reader thread per TUN queue. */
  public synchronized void start() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("data plane already started");
    }
    offload = options.segmentationOffload() && tun.enableTcpSegmentationOffload();
    for (TunQueue queue : tun.queues()) {
      Thread t =
          new Thread(
              new TunReader(
                  queue, registry, counters, options, running, offload, turns.get(queue)),
              "tun-reader-" + tun.name() + "-" + queue.index());
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    LOG.info(
        () ->
            "data plane started on "
                + tun.name()
                + " with "
                + workers.size()
                + " queue(s), mtu "
                + options.mtu()
                + ", client-to-client "
                + (options.clientToClient() ? "on" : "off")
                + ", TCP segmentation offload "
                + (offload ? "on" : "off"));
  }

  /**
   * The sink for the session of the client with inner address {@code clientAddress}: packets with
   * another source address are dropped and counted.
   */
  public InnerPacketSink sinkFor(Inet4Address clientAddress) {
    return sinkFor(clientAddress, counters.unattributed);
  }

  /**
   * As {@link #sinkFor(Inet4Address)}, for a client of {@code protocol}: its drops are counted
   * under that protocol ({@link #clientDrops}).
   */
  public InnerPacketSink sinkFor(VpnProtocol protocol, Inet4Address clientAddress) {
    return sinkFor(clientAddress, counters.of(protocol));
  }

  private InnerPacketSink sinkFor(Inet4Address clientAddress, SinkDrops drops) {
    return new TunPacketSink(
        tun.queues(),
        registry,
        counters,
        drops,
        options.clientToClient(),
        true,
        SessionRegistry.toInt(clientAddress),
        this::replyReader);
  }

  /** A sink that does not check source addresses (for traffic the gateway itself originates). */
  public InnerPacketSink sink() {
    return anySourceSink;
  }

  public DataPlaneStats stats() {
    return counters.snapshot();
  }

  /** Packets from clients of {@code protocol} dropped by their sinks, by reason label. */
  public Map<String, Long> clientDrops(VpnProtocol protocol) {
    return counters.of(protocol).byReason();
  }

  /**
   * Packets dropped that no protocol's client sent: read from the TUN (no session for the
   * destination, not IPv4, malformed, the session threw), or from a sink of no protocol.
   */
  public Map<String, Long> unattributedDrops() {
    Map<String, Long> m = new TreeMap<>(counters.tunDrops());
    counters.unattributed.byReason().forEach((reason, n) -> m.merge(reason, n, Long::sum));
    return m;
  }

  public DataPlaneOptions options() {
    return options;
  }

  /** Reader threads still running; fewer than the queue count after a fatal TUN error. */
  /**
   * How often a TUN worker woke for its queue and found nothing to read (a thread that wrote took
   * the answers first): a wake-up that cost a context switch for nothing.
   */
  public long emptyWorkerWakeups() {
    return counters.emptyWorkerWakeups.sum();
  }

  public synchronized int liveWorkers() {
    return (int) workers.stream().filter(Thread::isAlive).count();
  }

  /** Whether the readers receive TCP super-packets from the kernel (see DataPlaneOptions). */
  public boolean segmentationOffload() {
    return offload;
  }

  /** Stops the readers (waking them) and waits for them, at most two seconds. */
  @Override
  public synchronized void close() {
    running.set(false);
    tun.queues().forEach(TunQueue::wakeup);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (Thread t : workers) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (t.isAlive()) {
        LOG.warning(t.getName() + " did not stop in time");
      }
    }
    workers.clear();
  }
}
