package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.metrics.LabelledCounter;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway knows about each RADIUS server: up or down (the last exchange answered or not),
 * the last failure, and counters. A server that failed is tried after the healthy ones for {@link
 * #HOLD_DOWN}, so one dead primary does not add its whole timeout to every login; after that it is
 * tried in its priority place again.
 *
 * <p>Exposed as metrics ({@code vpngw_radius_server_up{server}}, {@code
 * vpngw_radius_requests_total{server,result}}, {@code vpngw_radius_dropped_replies_total{server,
 * reason}}, {@code vpngw_radius_retransmissions_total{server}}) and read by the management API for the VpnGateway's {@code RadiusReachable}
 * condition. Servers are named {@code host:port}; secrets never appear here.
 */
public final class RadiusServerHealth implements MetricsCollector {
  /** How long a failed server waits behind the healthy ones. */
  public static final Duration HOLD_DOWN = Duration.ofSeconds(30);

  /** The state of one server. */
  public record ServerState(boolean up, long sinceNanos, String lastError, long failedAtNanos) {}

  private final ConcurrentHashMap<String, ServerState> states = new ConcurrentHashMap<>();
  private final LabelledCounter requests =
      new LabelledCounter(
          "vpngw_radius_requests_total",
          "RADIUS exchanges by server and result (accept, reject, challenge, accounting, timeout).",
          "server",
          "result");
  private final LabelledCounter dropped =
      new LabelledCounter(
          "vpngw_radius_dropped_replies_total",
          "RADIUS replies dropped by server and reason (BadAuthenticator, BadMessageAuthenticator,"
              + " MissingMessageAuthenticator, Malformed, WrongIdentifier).",
          "server",
          "reason");

  private final LabelledCounter retransmissions =
      new LabelledCounter(
          "vpngw_radius_retransmissions_total",
          "RADIUS requests sent again to a server that gave no usable answer within its timeout"
              + " (the same packet: Identifier and authenticator unchanged, RFC 5080 2.2.1).",
          "server");

  /** Records the outcome of an exchange with {@code server}: {@code result} as in the metric. */
  public void answered(RadiusServerEndpoint server, String result) {
    requests.child(server.label(), result).increment();
    states.compute(
        server.label(),
        (k, old) ->
            old != null && old.up() ? old : new ServerState(true, System.nanoTime(), null, 0));
  }

  /** The server did not give a usable answer in time; {@code error} is one safe sentence. */
  public void failed(RadiusServerEndpoint server, String error) {
    requests.child(server.label(), "timeout").increment();
    long now = System.nanoTime();
    states.compute(
        server.label(),
        (k, old) ->
            new ServerState(false, old != null && !old.up() ? old.sinceNanos() : now, error, now));
  }

  /** The same request went to {@code server} again (the previous transmission timed out). */
  public void retransmitted(RadiusServerEndpoint server) {
    retransmissions.child(server.label()).increment();
  }

  public long retransmissionCount(RadiusServerEndpoint server) {
    return retransmissions.value(server.label());
  }

  public void dropped(RadiusServerEndpoint server, String reason) {
    dropped.child(server.label(), reason).increment();
  }

  public long droppedCount(RadiusServerEndpoint server, String reason) {
    return dropped.value(server.label(), reason);
  }

  public long requestCount(RadiusServerEndpoint server, String result) {
    return requests.value(server.label(), result);
  }

  public Optional<ServerState> state(RadiusServerEndpoint server) {
    return Optional.ofNullable(states.get(server.label()));
  }

  /** Whether {@code server} failed within the hold-down period (it then goes last). */
  boolean heldDown(RadiusServerEndpoint server, long nowNanos) {
    ServerState s = states.get(server.label());
    return s != null && !s.up() && nowNanos - s.failedAtNanos() < HOLD_DOWN.toNanos();
  }

  /** Servers in the order to try: healthy ones by priority, then held-down ones by priority. */
  List<RadiusServerEndpoint> order(List<RadiusServerEndpoint> byPriority) {
    long now = System.nanoTime();
    java.util.ArrayList<RadiusServerEndpoint> first = new java.util.ArrayList<>();
    java.util.ArrayList<RadiusServerEndpoint> last = new java.util.ArrayList<>();
    for (RadiusServerEndpoint s : byPriority) {
      (heldDown(s, now) ? last : first).add(s);
    }
    first.addAll(last);
    return first;
  }

  /** {@code host:port -> up} for every server seen so far (for status and the management API). */
  public Map<String, ServerState> snapshot() {
    return new TreeMap<>(states);
  }

  @Override
  public void collect(PrometheusTextWriter writer) {
    writer.family(
        "vpngw_radius_server_up",
        "gauge",
        "1 when the RADIUS server's last exchange was answered, 0 when it was not.");
    for (Map.Entry<String, ServerState> e : snapshot().entrySet()) {
      writer.sample("vpngw_radius_server_up", e.getValue().up() ? 1 : 0, "server", e.getKey());
    }
    requests.write(writer);
    dropped.write(writer);
    retransmissions.write(writer);
  }
}
