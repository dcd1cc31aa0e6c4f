package io.vpngateway.gateway.openvpn;

import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's single control thread, fed through two lanes:
 *
 * <ul>
 *   <li>packet work ({@link #submitPacket}): control packets handed over by the receive threads,
 *       mostly from clients not yet authenticated. A bounded queue; when it is full the task is
 *       discarded and counted, so a flood costs at most {@code capacity} queued copies.
 *   <li>internal work ({@link #submitInternal}, the periodic tick): session closes, key
 *       retirement and timers, which must never be lost. They wait in their own queue, which
 *       every task run on the thread drains first, so they run even while the packet lane is
 *       full.
 * </ul>
 */
final class ControlThread {
  private static final System.Logger LOG = System.getLogger(ControlThread.class.getName());
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService timer;
  private final Queue<Runnable> internal = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean tickPending = new AtomicBoolean();

  /**
   * @param capacity packet tasks that may wait
   * @param discarded counts packet tasks dropped because the queue was full
   */
  ControlThread(int capacity, LongAdder discarded) {
    RejectedExecutionHandler countDiscard = (task, pool) -> {
      if (!pool.isShutdown()) {
        discarded.increment();
      }
    };
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(capacity), daemon("openvpn-control"), countDiscard);
    // the worker exists from the start, so internal wake-ups can go straight into the queue
    executor.prestartAllCoreThreads();
    timer = Executors.newSingleThreadScheduledExecutor(daemon("openvpn-timer"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Runs {@code tick} on the control thread every {@code periodMillis}; never discarded. */
  void scheduleTick(Runnable tick, long periodMillis) {
    timer.scheduleWithFixedDelay(() -> {
      if (tickPending.compareAndSet(false, true)) {
        submitInternal(() -> {
          tickPending.set(false);
          tick.run();
        });
      }
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Queues packet work; dropped (and counted) when the bounded queue is full. */
  void submitPacket(Runnable task) {
    executor.execute(() -> {
      runInternal();
      runLogged(task);
    });
  }

  /** Queues work that must run (it survives a full packet queue). */
  void submitInternal(Runnable task) {
    internal.add(task);
    if (!executor.isShutdown()) {
      // a wake-up that does not fit is not needed: the queued packet tasks drain this lane first
      executor.getQueue().offer(this::runInternal);
    }
  }

  private void runInternal() {
    Runnable r;
    while ((r = internal.poll()) != null) {
      runLogged(r);
    }
  }

  private static void runLogged(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "control task failed", e);
    }
  }

  boolean isShutdown() {
    return executor.isShutdown();
  }

  /** Stops the timer, runs what is queued, and waits up to {@code millis} for it. */
  void shutdown(long millis) throws InterruptedException {
    timer.shutdownNow();
    executor.shutdown();
    executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }
}
