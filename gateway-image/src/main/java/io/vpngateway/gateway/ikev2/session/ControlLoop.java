package io.vpngateway.gateway.ikev2.session;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The IKE control thread: every IKE state change runs here, so IKE state needs no locks. Two
 * lanes feed it: packets from the receive threads in a bounded queue (a flood overflows it and is
 * counted, never grows memory), and internal tasks (closes, reloads) that are never dropped and run
 * first. A tick runs every {@link #TICK_MILLIS} for timers, while there is something to time: after
 * a tick that leaves the engine idle (no IKE SA, nothing lingering) the thread sleeps until work
 * arrives and ticks again {@link #TICK_MILLIS} later. An idle gateway's tick cost ~0.3 ms of CPU
 * each on the benchmark VM (a cold wake-up), five times a second, for nothing.
 */
final class ControlLoop implements AutoCloseable {
  static final long TICK_MILLIS = 200;
  private static final System.Logger LOG = System.getLogger(ControlLoop.class.getName());

  private final BlockingQueue<Runnable> packets;
  private final ConcurrentLinkedQueue<Runnable> internal = new ConcurrentLinkedQueue<>();
  private final LongAdder dropped;
  private final Runnable tick;
  private final BooleanSupplier idle;
  private final Thread thread;
  private volatile boolean running = true;
  /** The last tick left nothing to time: wait for work without a deadline (control thread). */
  private boolean asleep;

  /**
   * @param tick the timers' work, every {@link #TICK_MILLIS}
   * @param idle true when no timer is pending (asked on the control thread after a tick)
   */
  ControlLoop(int capacity, LongAdder dropped, Runnable tick, BooleanSupplier idle) {
    this.packets = new ArrayBlockingQueue<>(capacity);
    this.dropped = dropped;
    this.tick = tick;
    this.idle = idle;
    this.thread = new Thread(this::run, "ikev2-control");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues packet work; dropped and counted when the queue is full. */
  void submitPacket(Runnable task) {
    if (!packets.offer(task)) {
      dropped.increment();
    }
  }

  /** Queues work that must run. */
  void submitInternal(Runnable task) {
    internal.add(task);
    // wake the thread if it waits for packets
    packets.offer(() -> {});
  }

  boolean onControlThread() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    long nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    try {
      while (running) {
        nextTick = turn(nextTick);
      }
    } catch (InterruptedException e) {
      return;
    }
    Runnable r;
    while ((r = internal.poll()) != null) {
      runLogged(r);
    }
  }

  /**
   * One turn of the loop: the internal work, then a packet or the wait for one, then the tick
   * when due; returns when the next tick is due. A method of its own because the JIT compiles a
   * method by its calls: the loop in {@link #run}, entered once, would only be compiled on-stack
   * after tens of thousands of turns (a few per handshake), and ran interpreted until then.
   */
  private long turn(long nextTick) throws InterruptedException {
    Runnable r;
    while ((r = internal.poll()) != null) {
      runLogged(r);
    }
    if (asleep) {
      Runnable p = packets.take();
      asleep = false;
      long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
      runLogged(p);
      return next;
    }
    long wait = nextTick - System.nanoTime();
    Runnable p = wait > 0 ? packets.poll(wait, TimeUnit.NANOSECONDS) : null;
    if (p != null) {
      runLogged(p);
    }
    if (System.nanoTime() - nextTick >= 0) {
      long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
      runLogged(tick);
      asleep = internal.isEmpty() && idle.getAsBoolean();
      return next;
    }
    return nextTick;
  }

  private static void runLogged(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "IKEv2 control task failed", e);
    }
  }

  /** Runs the queued internal work and stops, waiting at most {@code millis}. */
  @Override
  public void close() {
    running = false;
    packets.offer(() -> {});
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
