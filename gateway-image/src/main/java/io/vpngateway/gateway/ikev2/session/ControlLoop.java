package io.vpngateway.gateway.ikev2.session;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The IKE control thread and the engine lock. Every IKE state change runs under the engine lock,
 * one at a time, so IKE state needs no finer locks: on this thread, or on a receive thread that
 * found the engine idle ({@link #tryRunInline}). Two lanes feed the thread: packets from the
 * receive threads in a bounded queue (a flood overflows it and is counted, never grows memory),
 * and internal tasks (closes, reloads) that are never dropped and run first.
 *
 * <p>Timers: no fixed tick. After every piece of work (and every timer run) the engine tells when
 * its earliest timer is due ({@link Timers#nextDueNanos}: a retransmission, a half-open expiry,
 * DPD, a rekey, a lifetime, a grace); the thread sleeps until then, or until work arrives, and
 * without a deadline when nothing is timed. Work run inline on a receive thread that brings a
 * timer forward wakes the thread to re-arm its sleep. On the benchmark VM every wake-up of a
 * sleeping thread costs 20-70 us of CPU plus a cold working set (up to 2 ms after a DAMON pass),
 * so a quiet gateway with IKE SAs wakes only when one of its timers is due, not five times a
 * second. (Inline work, {@code -Dvpngw.ikev2.inline=true}, would also spare this thread's wake-up
 * per handshake datagram; it saved nothing measurable in the bench and is off by default.)
 */
final class ControlLoop implements AutoCloseable {
  /** Nothing timed: the thread waits for work without a deadline. */
  static final long NEVER = Long.MAX_VALUE;
  /** The shortest sleep after work: a timer's own lateness, at most. */
  static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /**
   * Above this many timed entries ({@link Timers#size}) work other than the timers' own run does
   * not walk them all for the next due time: it only makes sure the timers run (and are walked)
   * within {@link #BOUNDED_REARM_NANOS}. The walk is O(IKE SAs); after every datagram, at 10,000
   * SAs, it would let a flood of garbage datagrams cost a fraction of a millisecond each.
   */
  static final int EXACT_REARM_LIMIT = 1024;
  /** How late a timer brought forward by work may run on a large engine (the old fixed tick's). */
  static final long BOUNDED_REARM_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final System.Logger LOG = System.getLogger(ControlLoop.class.getName());
  private static final Runnable WAKE = () -> {};

  /** The engine's timers. Both methods run under the engine lock. */
  interface Timers {
    /** Runs the timers due by now. */
    void tick();

    /** When the earliest timer is due ({@link System#nanoTime} scale), or {@link #NEVER}. */
    long nextDueNanos(long nowNanos);

    /** How many entries {@link #nextDueNanos} walks (the IKE SAs). */
    int size();
  }

  private final BlockingQueue<Runnable> packets;
  private final ConcurrentLinkedQueue<Runnable> internal = new ConcurrentLinkedQueue<>();
  private final LongAdder dropped;
  private final Timers timers;
  private final Thread thread;
  private final ReentrantLock engineLock = new ReentrantLock();
  /**
   * Packet work queued or taken by the control thread and not yet run: inline work waits for it
   * to reach zero, so a peer's later message never overtakes its earlier one (the thread takes a
   * packet off the queue before it has the lock).
   */
  private final AtomicInteger unfinishedPackets = new AtomicInteger();
  private volatile boolean running = true;
  /** When the earliest timer is due (guarded by the engine lock). */
  private long nextDue = NEVER;
  /**
   * The deadline the thread sleeps to: written under the engine lock just before it waits,
   * {@link #NEVER} while it waits without one, and {@link #AWAKE} while it runs (it reads {@link
   * #nextDue} before its next wait, so nothing needs to wake it).
   */
  private volatile long sleepingUntil = AWAKE;

  private static final long AWAKE = Long.MIN_VALUE;

  ControlLoop(int capacity, LongAdder dropped, Timers timers) {
    this.packets = new ArrayBlockingQueue<>(capacity);
    this.dropped = dropped;
    this.timers = timers;
    this.thread = new Thread(this::run, "ikev2-control");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues packet work; dropped and counted when the queue is full. */
  void submitPacket(Runnable task) {
    unfinishedPackets.incrementAndGet();
    if (!packets.offer(task)) {
      unfinishedPackets.decrementAndGet();
      dropped.increment();
    }
  }

  /** Queues work that must run. */
  void submitInternal(Runnable task) {
    internal.add(task);
    // wake the thread if it waits for packets
    packets.offer(WAKE);
  }

  /**
   * Runs {@code task} on the calling thread under the engine lock when no work is queued or
   * unfinished and the engine is free; returns false (nothing ran) otherwise, and the caller
   * queues it. Work queued earlier always runs first, so a peer's messages keep their order; a
   * busy engine (a flood, a handshake in progress on the control thread, the control thread
   * waiting for the lock) gets its work queued, so the receive thread goes back to its socket at
   * once. Nothing runs inline once the loop is closing: the engine's goodbye is its last work.
   */
  boolean tryRunInline(Runnable task) {
    if (!running || unfinishedPackets.get() != 0 || !internal.isEmpty()
        || engineLock.hasQueuedThreads() || !engineLock.tryLock()) {
      return false;
    }
    long due;
    try {
      if (!running) {
        return false;
      }
      runLogged(task);
      due = rearm(false);
    } finally {
      engineLock.unlock();
    }
    long sleeping = sleepingUntil;
    if (due != NEVER && sleeping != AWAKE && (sleeping == NEVER || due - sleeping < 0)) {
      // the work brought a timer forward (the first IKE SA of an idle engine, a request of ours)
      packets.offer(WAKE);
    }
    return true;
  }

  /** Nothing queued and no engine work running (tests: the next inline attempt will run). */
  boolean quiet() {
    return unfinishedPackets.get() == 0 && internal.isEmpty() && !engineLock.isLocked();
  }

  /** True on the thread that runs engine work now (holds the engine lock). */
  boolean holdsEngine() {
    return engineLock.isHeldByCurrentThread();
  }

  private void run() {
    try {
      while (running) {
        turn();
      }
    } catch (InterruptedException e) {
      return;
    }
    Runnable r;
    engineLock.lock();
    try {
      while ((r = internal.poll()) != null) {
        runLogged(r);
      }
    } finally {
      engineLock.unlock();
    }
  }

  /**
   * One turn of the loop: the internal work, the timers when due, then the wait for a packet or
   * the next timer, and the packet. A method of its own because the JIT compiles a method by its
   * calls: the loop in {@link #run}, entered once, would only be compiled on-stack after tens of
   * thousands of turns (a few per handshake), and ran interpreted until then.
   */
  private void turn() throws InterruptedException {
    long due;
    engineLock.lock();
    try {
      Runnable r;
      while ((r = internal.poll()) != null) {
        runLogged(r);
        rearm(false);
      }
      if (nextDue != NEVER && System.nanoTime() - nextDue >= 0) {
        runLogged(timers::tick);
        rearm(true);
      }
      due = nextDue;
      sleepingUntil = due;
    } finally {
      engineLock.unlock();
    }
    Runnable p;
    if (due == NEVER) {
      p = packets.take();
    } else {
      long wait = due - System.nanoTime();
      p = wait > 0 ? packets.poll(wait, TimeUnit.NANOSECONDS) : null;
    }
    sleepingUntil = AWAKE;
    if (p != null && p != WAKE) {
      engineLock.lock();
      try {
        runLogged(p);
        rearm(false);
      } finally {
        engineLock.unlock();
        unfinishedPackets.decrementAndGet();
      }
    }
  }

  /**
   * Asks the engine for its earliest timer after work (engine lock held). A timer due now or in
   * the past that the last timer run did not clear comes back no sooner than {@link
   * #MIN_GAP_NANOS} later: never a busy loop. After other work than the timers' run, an engine
   * larger than {@link #EXACT_REARM_LIMIT} is not walked: its timers run within {@link
   * #BOUNDED_REARM_NANOS} and are walked then.
   */
  private long rearm(boolean afterTimers) {
    long now = System.nanoTime();
    long due;
    try {
      if (!afterTimers && timers.size() > EXACT_REARM_LIMIT) {
        nextDue = earliest(nextDue, now + BOUNDED_REARM_NANOS);
        return nextDue;
      }
      due = timers.nextDueNanos(now);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "IKEv2 timer computation failed", e);
      due = now + TimeUnit.SECONDS.toNanos(1);
    }
    if (due != NEVER && due - (now + MIN_GAP_NANOS) < 0) {
      due = now + MIN_GAP_NANOS;
    }
    nextDue = due;
    return due;
  }

  /** The earlier of two due times, either of them possibly {@link #NEVER}. */
  static long earliest(long a, long b) {
    if (a == NEVER) {
      return b;
    }
    if (b == NEVER) {
      return a;
    }
    return a - b <= 0 ? a : b;
  }

  private static void runLogged(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "IKEv2 control task failed", e);
    }
  }

  /** Runs the queued internal work and stops, waiting at most two seconds. */
  @Override
  public void close() {
    close(() -> {});
  }

  /**
   * Stops the loop with {@code last} as the engine's last work: from here on nothing runs inline
   * and no further packet is taken, then {@code last} runs (on the control thread, or at once on a
   * caller that holds the engine lock) and the thread ends, waited for up to two seconds.
   */
  void close(Runnable last) {
    running = false;
    if (holdsEngine()) {
      runLogged(last);
    } else {
      internal.add(last);
    }
    packets.offer(WAKE);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
