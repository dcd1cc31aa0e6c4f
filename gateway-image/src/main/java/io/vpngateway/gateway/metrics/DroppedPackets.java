package io.vpngateway.gateway.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The one registry of dropped packets, {@code vpngw_dropped_packets_total{protocol,reason}}. Every
 * component that drops packets (a protocol server, the data plane's sinks and TUN readers, the
 * shared TCP ports) counts in its own allocation-free counters on the packet path and registers
 * them here once, under the protocol whose client sent the packet; they are read at scrape time.
 * Two sources of one protocol with the same reason add up.
 *
 * <p>{@link #NO_PROTOCOL} is the protocol of drops no client protocol can be charged with: a
 * packet the kernel routed to an address with no session, a TCP connection whose first bytes no
 * protocol recognised.
 */
public final class DroppedPackets {
  public static final String FAMILY = "vpngw_dropped_packets_total";
  public static final String NO_PROTOCOL = "none";

  private record Source(String protocol, Supplier<Map<String, Long>> dropsByReason) {}

  private final List<Source> sources = new CopyOnWriteArrayList<>();

  /**
   * Registers counters read at scrape time as {@code reason -> count}, charged to {@code
   * protocol} (its CR name, as in {@code vpngw_sessions{protocol}}, or {@link #NO_PROTOCOL}).
   */
  public void add(String protocol, Supplier<Map<String, Long>> dropsByReason) {
    sources.add(new Source(protocol, dropsByReason));
  }

  /** The current counts: protocol -> reason -> count, sorted, sources added up. */
  public Map<String, Map<String, Long>> snapshot() {
    Map<String, Map<String, Long>> all = new TreeMap<>();
    for (Source s : sources) {
      Map<String, Long> byReason = all.computeIfAbsent(s.protocol(), p -> new TreeMap<>());
      s.dropsByReason().get().forEach((reason, n) -> byReason.merge(reason, n, Long::sum));
    }
    return all;
  }

  /** The current count of one protocol and reason, 0 when nothing registered it. */
  public long value(String protocol, String reason) {
    return snapshot().getOrDefault(protocol, Map.of()).getOrDefault(reason, 0L);
  }

  void write(PrometheusTextWriter w) {
    w.family(
        FAMILY,
        "counter",
        "Packets dropped, by the protocol of the client that sent them (none: no client's) and"
            + " the reason.");
    snapshot()
        .forEach(
            (protocol, byReason) ->
                byReason.forEach(
                    (reason, n) -> w.sample(FAMILY, n, "protocol", protocol, "reason", reason)));
  }
}
