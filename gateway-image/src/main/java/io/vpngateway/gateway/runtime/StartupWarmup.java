package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.protocol.ProtocolServer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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

  /** Loggers whose per-session lines (connected, closed) the warm-up's sessions would write. */
  private static final List<String> QUIET =
      List.of("io.vpngateway.gateway.ikev2", "io.vpngateway.gateway.openvpn",
          "io.vpngateway.gateway.admission", "io.vpngateway.gateway.auth");

  private StartupWarmup() {}

  static void run(ProtocolServer server) {
    int handshakes = Integer.getInteger("vpngw.warmup.handshakes", DEFAULT_HANDSHAKES);
    int seconds = Integer.getInteger("vpngw.warmup.seconds", DEFAULT_SECONDS);
    if (handshakes <= 0 || seconds <= 0 || !enabled(server)) {
      return;
    }
    long start = System.nanoTime();
    long cpu0 = processCpuNanos();
    List<Logger> quieted = new ArrayList<>();
    List<Level> levels = new ArrayList<>();
    for (String name : QUIET) {
      Logger l = Logger.getLogger(name);
      quieted.add(l);
      levels.add(l.getLevel());
      l.setLevel(Level.WARNING);
    }
    int done = 0;
    String failure = null;
    try {
      done = server.warmUp(handshakes, start + TimeUnit.SECONDS.toNanos(seconds));
    } catch (Exception | LinkageError e) {
      failure = e.toString();
    } finally {
      for (int i = 0; i < quieted.size(); i++) {
        quieted.get(i).setLevel(levels.get(i));
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
