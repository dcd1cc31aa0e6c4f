package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.protocol.ProtocolServer;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The JIT warm-up of each protocol server before it binds its sockets, so before the gateway
 * reports ready ({@link ProtocolServer#warmUp}): a restarted pod that thousands of clients
 * reconnect to at once then serves them with compiled code, instead of compiling the handshake
 * path (the JDK's TLS 1.3, signatures, key agreement, our IKE engine) while they wait. It moves
 * that CPU from the first few hundred connects to the start-up; gateway-image/BENCHMARKS.md has
 * the figures.
 *
 * <p>Per protocol: on where {@link ProtocolServer#warmUpByDefault} says so (IKEv2; OpenVPN's is
 * off, its benchmark showed no gain for the real client), overridden by the system property
 * {@code vpngw.warmup.<protocol>} ({@code true} or {@code false}; the protocol's CR name in lower
 * case: {@code openvpn}, {@code ikev2}, {@code sstp}).
 *
 * <p>Bounded: at most {@code vpngw.warmup.handshakes} handshakes per protocol (system property,
 * default {@value #DEFAULT_HANDSHAKES}; 0 turns it off) and at most {@code vpngw.warmup.seconds}
 * of wall time per protocol (default {@value #DEFAULT_SECONDS}), whichever comes first, so a slow
 * or throttled pod becomes ready late by at most that (OpenVPN and IKEv2 have one, SSTP none: at
 * most 30 s by default, inside the liveness probe's 60 s). A failed warm-up is logged and the
 * server starts anyway: it only costs the first clients their compilation time, as without it.
 */
final class StartupWarmup {
  static final int DEFAULT_HANDSHAKES = 500;
  static final int DEFAULT_SECONDS = 15;

  private static final Logger LOG = Logger.getLogger(StartupWarmup.class.getName());

  /**
   * Set on the thread running a warm-up, and inherited by the threads it starts (the throwaway
   * IKE engine's control thread): a record logged on one of them is the warm-up's. A token per
   * run, so a thread that outlives its warm-up is not taken for the next one's.
   */
  private static final InheritableThreadLocal<Object> WARMING = new InheritableThreadLocal<>();

  private StartupWarmup() {}

  static void run(ProtocolServer server) {
    int handshakes = Integer.getInteger("vpngw.warmup.handshakes", DEFAULT_HANDSHAKES);
    int seconds = Integer.getInteger("vpngw.warmup.seconds", DEFAULT_SECONDS);
    if (handshakes <= 0 || seconds <= 0 || !enabled(server)) {
      return;
    }
    long start = System.nanoTime();
    long cpu0 = processCpuNanos();
    // the warm-up's sessions log as real ones do (connected, closed) and their records go through
    // the handlers' formatter, so that code is compiled too, but the handlers drop them: no
    // "warm-up connected" lines. Raising the loggers' level instead left the per-connect logging
    // cold for the first real clients, and hid the lines of another protocol's real clients
    // (protocols already started) during the warm-up.
    Object token = new Object();
    Handler[] handlers = Logger.getLogger("").getHandlers();
    Filter[] filters = new Filter[handlers.length];
    for (int i = 0; i < handlers.length; i++) {
      Handler h = handlers[i];
      Filter previous = h.getFilter();
      filters[i] = previous;
      h.setFilter(
          record -> {
            if (WARMING.get() == token && record.getLevel().intValue() < Level.WARNING.intValue()) {
              Formatter f = h.getFormatter();
              if (f != null) {
                f.format(record);
              }
              return false;
            }
            return previous == null || previous.isLoggable(record);
          });
    }
    WARMING.set(token);
    int done = 0;
    String failure = null;
    try {
      done = server.warmUp(handshakes, start + TimeUnit.SECONDS.toNanos(seconds));
    } catch (Exception | LinkageError e) {
      failure = e.toString();
    } finally {
      WARMING.remove();
      for (int i = 0; i < handlers.length; i++) {
        handlers[i].setFilter(filters[i]);
      }
    }
    if (done == 0 && failure == null) {
      return; // a protocol without a warm-up
    }
    String took =
        String.format(
            "%d handshakes in %.1f s wall, %.1f s process CPU",
            done, (System.nanoTime() - start) / 1e9, (processCpuNanos() - cpu0) / 1e9);
    if (failure != null) {
      LOG.warning(server.protocol().crName() + " warm-up failed after " + took + ": " + failure);
    } else {
      LOG.info(server.protocol().crName() + " warm-up: " + took);
    }
  }

  /** {@code vpngw.warmup.<protocol>} when set, else the protocol server's default. */
  static boolean enabled(ProtocolServer server) {
    String key = "vpngw.warmup." + server.protocol().crName().toLowerCase(Locale.ROOT);
    String value = System.getProperty(key);
    return value == null ? server.warmUpByDefault() : Boolean.parseBoolean(value.trim());
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
