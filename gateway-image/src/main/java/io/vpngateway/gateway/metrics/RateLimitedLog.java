package io.vpngateway.gateway.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A logger that writes at most {@code burst} lines per key per interval, so a flood (refused
 * clients, a failing packet path) cannot fill the disk or drown other lines; what it holds back is
 * counted and reported with the next line it writes for that key ("N similar suppressed"). The
 * metrics still count every event: this only limits the log.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final int burst;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    long startNanos;
    int written;
    final AtomicLong suppressed = new AtomicLong();
  }

  public RateLimitedLog(Logger logger, int burst, long interval, TimeUnit unit) {
    this.logger = logger;
    this.burst = burst;
    this.intervalNanos = unit.toNanos(interval);
  }

  /** Logs {@code message} under {@code key} unless that key used up its burst this interval. */
  public void log(Level level, String key, String message) {
    log(level, key, message, null);
  }

  /** As {@link #log(Level, String, String)}, with a throwable (its stack trace is written too). */
  public void log(Level level, String key, String message, Throwable thrown) {
    if (!logger.isLoggable(level)) {
      return;
    }
    Window w = windows.computeIfAbsent(key, k -> new Window());
    long held;
    synchronized (w) {
      long now = System.nanoTime();
      if (w.written == 0 || now - w.startNanos > intervalNanos) {
        w.startNanos = now;
        w.written = 0;
      }
      if (w.written >= burst) {
        w.suppressed.incrementAndGet();
        return;
      }
      w.written++;
      held = w.suppressed.getAndSet(0);
    }
    String line = held == 0 ? message : message + " (" + held + " similar suppressed)";
    if (thrown == null) {
      logger.log(level, line);
    } else {
      logger.log(level, line, thrown);
    }
  }
}
