package io.vpngateway.gateway.openvpn;

import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The server's single control thread, fed through two lanes, and its timer:
 *
 * <ul>
 *   <li>packet work ({@link #submitPacket}): control packets handed over by the receive threads,
 *       mostly from clients not yet authenticated. A bounded queue; when it is full the task is
 *       discarded and counted, so a flood costs at most {@code capacity} queued copies.
 *   <li>internal work ({@link #submitInternal}): session closes, key retirement and the like,
 *       which must never be lost. They wait in their own queue, which the thread drains before
 *       every packet task, so they run even while the packet lane is full.
 *   <li>the tick ({@link #scheduleTick}): periodic work run on the same thread when it falls due.
 *       Its period is asked anew after every tick, and any packet or internal task pulls the next
 *       tick to within {@code fastMillis}: a server that is handling handshakes ticks often
 *       (control retransmissions), an idle one only at the deadlines its sessions name. The thread
 *       sleeps until the next tick or the next task, so an idle server wakes only for its tick,
 *       on one thread.
 * </ul>
 *
 * <p>The tick's deadline is looked at before every packet task, not only when the packet lane is
 * empty: a sustained flood (forged cookie echoes, garbage under a live client's address) keeps the
 * lane from ever emptying, and must not hold back the timers (retransmissions, handshake windows,
 * keepalives, renegotiation, expiry). Each turn runs at most one tick and then one packet task, so
 * neither lane can starve the other: under a flood the tick runs when due (within {@code
 * fastMillis} of the last, as packet work pulls it that close), and packets still go one per turn
 * even while the tick is due on every turn.
 */
final class ControlThread {
  private static final System.Logger LOG = System.getLogger(ControlThread.class.getName());
  private final ArrayBlockingQueue<Runnable> packets;
  private final Queue<Runnable> internal = new ConcurrentLinkedQueue<>();
  private final LongAdder discarded;
  private final Thread thread;
  private volatile boolean shutdown;
  private Runnable tick;
  private LongSupplier periodMillis;
  private long fastNanos;
  private long nextTickNanos;

  /**
   * @param capacity packet tasks that may wait
   * @param discarded counts packet tasks dropped because the queue was full
   */
  ControlThread(int capacity, LongAdder discarded) {
    this.packets = new ArrayBlockingQueue<>(capacity);
    this.discarded = discarded;
    this.thread = new Thread(this::loop, "openvpn-control");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code tick} on the control thread, first after {@code periodMillis} and then each time
   * the period (asked after every run) has passed again; a packet task brings the next run to
   * within {@code fastMillis}. Call once, before work arrives.
   */
  void scheduleTick(Runnable tick, LongSupplier periodMillis, long fastMillis) {
    submitInternal(() -> {
      this.tick = tick;
      this.periodMillis = periodMillis;
      this.fastNanos = TimeUnit.MILLISECONDS.toNanos(fastMillis);
      this.nextTickNanos = System.nanoTime()
          + TimeUnit.MILLISECONDS.toNanos(periodMillis.getAsLong());
    });
  }

  /** Queues packet work; dropped (and counted) when the bounded queue is full. */
  void submitPacket(Runnable task) {
    if (shutdown || !packets.offer(task)) {
      if (!shutdown) {
        discarded.increment();
      }
      return;
    }
    LockSupport.unpark(thread);
  }

  /** Queues work that must run (it survives a full packet queue). */
  void submitInternal(Runnable task) {
    internal.add(task);
    LockSupport.unpark(thread);
  }

  private void loop() {
    while (turn()) {
      // each turn runs what is due, or sleeps until something is
    }
  }

  /**
   * One turn of the loop: the internal work, then the tick when due, then one packet task, else
   * the sleep until the next tick or task; false once shut down with nothing left to run. The tick
   * comes before the packet so a packet lane that never empties (a flood) cannot postpone it; the
   * packet after it so a tick that keeps falling due cannot postpone packets. A method of its own
   * because the JIT compiles a method by its calls: the loop in {@link #loop}, entered once, would
   * only be compiled on-stack after tens of thousands of turns (a few dozen per handshake), and ran
   * interpreted until then.
   */
  private boolean turn() {
    boolean ticking = tick != null; // not for the task that schedules the tick itself
    if (runInternal() && ticking) {
      // a close, a key switch: the tick decides anew how long the server may sleep
      nextTickNanos = Math.min(nextTickNanos, System.nanoTime() + fastNanos);
    }
    boolean ticked = false;
    if (tick != null && System.nanoTime() - nextTickNanos >= 0 && !shutdown) {
      runLogged(tick);
      nextTickNanos = System.nanoTime()
          + TimeUnit.MILLISECONDS.toNanos(Math.max(1, periodMillis.getAsLong()));
      ticked = true;
    }
    Runnable task = packets.poll();
    if (task != null) {
      runLogged(task);
      if (tick != null) {
        nextTickNanos = Math.min(nextTickNanos, System.nanoTime() + fastNanos);
      }
      return true;
    }
    if (ticked || !internal.isEmpty()) {
      return true;
    }
    if (shutdown) {
      return false;
    }
    if (tick == null) {
      LockSupport.park(this);
    } else {
      LockSupport.parkNanos(this, nextTickNanos - System.nanoTime());
    }
    return true;
  }

  /** Runs the queued internal work; true if there was any. */
  private boolean runInternal() {
    boolean ran = false;
    Runnable r;
    while ((r = internal.poll()) != null) {
      runLogged(r);
      ran = true;
    }
    return ran;
  }

  private static void runLogged(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "control task failed", e);
    }
  }

  /** Packet tasks waiting now (tests). */
  int queuedPackets() {
    return packets.size();
  }

  boolean isShutdown() {
    return shutdown;
  }

  /** Stops the tick, runs what is queued, and waits up to {@code millis} for it. */
  void shutdown(long millis) throws InterruptedException {
    shutdown = true;
    LockSupport.unpark(thread);
    thread.join(millis);
  }
}
