package io.vpngateway.gateway.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One thread serving many simulated clients: a {@link Selector} over their sockets, a timer queue
 * and a task queue for work handed over from other threads. Each client lives on one loop and is
 * only ever touched by that loop's thread, so a client costs a socket, its state and timer entries,
 * never a thread.
 *
 * <p>Timers are lazy: {@link #wakeAt} pushes an entry only when it is earlier than the client's
 * earliest pending one, and a popped entry that no longer matches is skipped.
 */
final class EventLoop implements Runnable {
  /** Reads go into this one buffer: a client keeps no receive buffer of its own (UDP). */
  final ByteBuffer rx = ByteBuffer.allocate(65536 + 64);
  /** Decrypted data packets. */
  final ByteBuffer plain = ByteBuffer.allocate(65536 + 64);
  /** Encrypted data packets on their way out. */
  final ByteBuffer sealed = ByteBuffer.allocate(65536 + 64);

  private final Selector selector;
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final String name;
  private volatile Thread thread;
  private volatile boolean stopped;
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

  private record Timer(long at, LoadClient client) {}

  /** A socket event for a client. */
  interface Handler {
    void onSelected(SelectionKey key);
  }

  private final LoadStats stats;

  EventLoop(String name, LoadStats stats) throws IOException {
    this.selector = Selector.open();
    this.name = name;
    this.stats = stats;
  }

  String name() {
    return name;
  }

  Selector selector() {
    return selector;
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on this loop's thread. */
  void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Loop thread: makes sure {@code client.onTimer} runs at {@code at} ({@link System#nanoTime}). */
  void wakeAt(LoadClient client, long at) {
    if (at - client.scheduledAt < 0 || client.scheduledAt == Long.MAX_VALUE) {
      client.scheduledAt = at;
      timers.add(new Timer(at, client));
    }
  }

  void stop() {
    stopped = true;
    selector.wakeup();
  }

  /** Waits up to {@code millis} for the loop to end after {@link #stop}. */
  boolean join(long millis) throws InterruptedException {
    return finished.await(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * The loop; runs on the thread that calls it (one that joined the clients' network namespace,
   * so the sockets it opens live there) until {@link #stop}.
   */
  @Override
  public void run() {
    thread = Thread.currentThread();
    try {
      while (!stopped) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
          run(task);
        }
        long now = System.nanoTime();
        Timer next = timers.peek();
        long waitMillis =
            next == null ? 1000 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(next.at - now));
        if (waitMillis == 0) {
          selector.selectNow();
        } else {
          selector.select(Math.min(waitMillis, 1000));
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (key.isValid() && key.attachment() instanceof Handler h) {
            run(() -> h.onSelected(key));
          }
        }
        runDueTimers();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      try {
        for (SelectionKey k : selector.keys()) {
          k.channel().close();
        }
        selector.close();
      } catch (IOException ignored) {
        // closing at the end of a run
      }
      finished.countDown();
    }
  }

  private void runDueTimers() {
    long now = System.nanoTime();
    Timer t;
    while ((t = timers.peek()) != null && now - t.at >= 0) {
      timers.poll();
      LoadClient c = t.client;
      if (c.scheduledAt != t.at) {
        continue; // superseded by an earlier entry that already ran, or re-armed later
      }
      c.scheduledAt = Long.MAX_VALUE;
      run(() -> c.onTimer(now));
    }
  }

  private void run(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      stats.internalErrors.increment();
      if (stats.internalErrors.sum() <= 5) {
        e.printStackTrace();
      }
    }
  }
}
