package io.vpngateway.gateway.metrics;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The gateway's metrics, served on the management port at {@code /metrics}. A small registry of its
 * own (LongAdder cells, fixed families) rather than a metrics library: the gateway needs a dozen
 * families and an allocation-free hot path, nothing more.
 *
 * <p>Families (all prefixed {@code vpngw_}):
 *
 * <ul>
 *   <li>{@code sessions{protocol}}: live sessions (gauge, from the session registry)
 *   <li>{@code session_bytes_total{direction}}: bytes carried by sessions, live and ended
 *   <li>{@code handshakes_total{protocol,result,reason}}: authentications that succeeded or failed
 *   <li>{@code auth_latency_seconds{protocol}}: time to authenticate a client (histogram)
 *   <li>{@code dropped_packets_total{protocol,reason}}: packets dropped, by the protocol of the
 *       client that sent them and why ({@link DroppedPackets})
 *   <li>{@code config_reloads_total{result}}: hot reloads applied, rejected
 * </ul>
 *
 * Components with counters of their own (protocol server stats, the TUN interface's kernel
 * counters) add a {@link MetricsCollector}.
 */
public final class GatewayMetrics {
  private final SessionRegistry sessions;
  private final LabelledCounter handshakes =
      new LabelledCounter(
          "vpngw_handshakes_total",
          "Client authentications by protocol, result (ok, failed) and failure reason.",
          "protocol",
          "result",
          "reason");
  private final LabelledCounter reloads =
      new LabelledCounter(
          "vpngw_config_reloads_total",
          "Configuration hot reloads by result (applied, rejected).",
          "result");
  private final LatencyHistogram authLatency;
  private final Map<VpnProtocol, LongAdder> handshakeOk = new EnumMap<>(VpnProtocol.class);
  private final ConcurrentHashMap<String, LongAdder> endedBytes = new ConcurrentHashMap<>();
  private final List<MetricsCollector> collectors = new CopyOnWriteArrayList<>();
  private final DroppedPackets dropped = new DroppedPackets();

  public GatewayMetrics(SessionRegistry sessions) {
    this.sessions = sessions;
    String[] protocols = new String[VpnProtocol.values().length];
    for (VpnProtocol p : VpnProtocol.values()) {
      protocols[p.ordinal()] = p.crName();
      handshakeOk.put(p, handshakes.child(p.crName(), "ok", ""));
    }
    authLatency =
        new LatencyHistogram(
            "vpngw_auth_latency_seconds",
            "Time to authenticate a client, by protocol.",
            "protocol",
            protocols);
    endedBytes.put("in", new LongAdder());
    endedBytes.put("out", new LongAdder());
    reloads.child("applied");
    reloads.child("rejected");
  }

  public void handshakeSucceeded(VpnProtocol protocol, long authNanos) {
    handshakeOk.get(protocol).increment();
    authLatency.record(protocol.ordinal(), authNanos);
  }

  /** A refused client: counted under its reason's code. */
  public void handshakeFailed(VpnProtocol protocol, RefusalReason reason, long authNanos) {
    handshakes.child(protocol.crName(), "failed", reason.code()).increment();
    authLatency.record(protocol.ordinal(), authNanos);
  }

  /**
   * Registers a component that counts the packets it drops (its own allocation-free counters), read
   * at scrape time as {@code reason -> count} under {@code protocol} (see {@link DroppedPackets}).
   */
  public void addDropSource(String protocol, Supplier<Map<String, Long>> dropsByReason) {
    dropped.add(protocol, dropsByReason);
  }

  public DroppedPackets dropped() {
    return dropped;
  }

  public void configReloaded(boolean applied) {
    reloads.child(applied ? "applied" : "rejected").increment();
  }

  /** Keeps the bytes of a session that ended, so the byte totals never go backwards. */
  public void sessionEnded(TunnelSession session) {
    endedBytes.get("in").add(session.bytesIn());
    endedBytes.get("out").add(session.bytesOut());
  }

  public void addCollector(MetricsCollector collector) {
    collectors.add(collector);
  }

  public long handshakes(VpnProtocol protocol, String result, String reason) {
    return handshakes.value(protocol.crName(), result, reason);
  }

  /** The whole exposition, as {@code GET /metrics} returns it. */
  public String scrape() {
    PrometheusTextWriter w = new PrometheusTextWriter();
    Map<VpnProtocol, Integer> byProtocol = new EnumMap<>(VpnProtocol.class);
    long bytesIn = endedBytes.get("in").sum();
    long bytesOut = endedBytes.get("out").sum();
    for (VpnProtocol p : VpnProtocol.values()) {
      byProtocol.put(p, 0);
    }
    for (TunnelSession s : sessions.all()) {
      byProtocol.merge(s.protocol(), 1, Integer::sum);
      bytesIn += s.bytesIn();
      bytesOut += s.bytesOut();
    }
    w.family("vpngw_sessions", "gauge", "Live client sessions, by protocol.");
    byProtocol.forEach((p, n) -> w.sample("vpngw_sessions", n, "protocol", p.crName()));
    w.family(
        "vpngw_session_bytes_total",
        "counter",
        "Bytes of inner traffic carried by client sessions: in = from clients, out = to clients.");
    w.sample("vpngw_session_bytes_total", bytesIn, "direction", "in");
    w.sample("vpngw_session_bytes_total", bytesOut, "direction", "out");
    handshakes.write(w);
    authLatency.write(w);
    dropped.write(w);
    reloads.write(w);
    for (MetricsCollector c : collectors) {
      c.collect(w);
    }
    return w.toString();
  }
}
