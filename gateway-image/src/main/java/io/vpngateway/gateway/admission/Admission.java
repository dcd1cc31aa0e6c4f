package io.vpngateway.gateway.admission;

import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.metrics.RateLimitedLog;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's one admission service, shared by every protocol server: who may connect (the
 * {@link AuthenticationPipeline}), how many may (one {@code maxConnections} budget over all
 * protocols, this replica's share), and one way of reporting every outcome: a refusal is the same
 * {@link RefusalReason} in the log line, the {@code vpngw_handshakes_total{protocol,result,reason}}
 * metric, {@code GET /refusals} and, where the protocol can carry it, the message to the client.
 *
 * <p>How a protocol uses it, for each connecting client:
 *
 * <pre>
 *   AdmissionAttempt a = admission.begin(clientInfo);
 *   a.authenticate(credentials)        // async; a Refused result is already reported
 *     → Accepted(identity): a.reserve(identity)   // empty: MaxConnectionsReached, reported
 *        → protocol work (cipher, address lease, registry) → a.admitted()
 *                                       or a.refuse(reason, message)  (releases the slot)
 *   session end: slot.release()
 * </pre>
 */
public final class Admission {
  private static final Logger LOG = Logger.getLogger(Admission.class.getName());

  private final AuthenticationPipeline authentication;
  private final ConnectionBudget budget;
  private final GatewayMetrics metrics;
  private final RefusalLog refusals = new RefusalLog();
  private final RateLimitedLog refusalLines = new RateLimitedLog(LOG, 10, 10, TimeUnit.SECONDS);

  /**
   * @param capacity this replica's share of the gateway's {@code maxConnections}
   */
  public Admission(AuthenticationPipeline authentication, int capacity, GatewayMetrics metrics) {
    this.authentication = authentication;
    this.budget = new ConnectionBudget(capacity);
    this.metrics = metrics;
  }

  /** Starts the admission of one client; the attempt's clock (auth latency) starts now. */
  public AdmissionAttempt begin(ClientInfo client) {
    return new AdmissionAttempt(this, client);
  }

  /** What the gateway accepts as credentials (to tell a protocol what to ask its client for). */
  public AuthenticationPipeline authentication() {
    return authentication;
  }

  public int capacity() {
    return budget.capacity();
  }

  public int inUse() {
    return budget.inUse();
  }

  public RefusalLog refusals() {
    return refusals;
  }

  /**
   * Reports a refusal outside an attempt, e.g. a live session whose renegotiation failed its
   * re-check: logged and listed the same way, counted under {@code handshakes_total}.
   */
  public void report(ClientInfo client, String identity, RefusalReason reason, String message) {
    reportRefused(client, identity, reason, message, -1);
  }

  /** The budget as gauges (capacity and in use), for the metrics endpoint. */
  public MetricsCollector metricsCollector() {
    return w -> {
      w.family(
          "vpngw_connections_capacity",
          "gauge",
          "This replica's share of the gateway-wide maxConnections, over all protocols.");
      w.sample("vpngw_connections_capacity", budget.capacity());
      w.family(
          "vpngw_connections_in_use",
          "gauge",
          "Connections holding a slot of the budget (admitted sessions), over all protocols.");
      w.sample("vpngw_connections_in_use", budget.inUse());
    };
  }

  ConnectionSlot tryTake() {
    return budget.tryTake();
  }

  void reportAdmitted(ClientInfo client, long authNanos) {
    metrics.handshakeSucceeded(client.protocol(), authNanos);
  }

  void reportRefused(
      ClientInfo client, String identity, RefusalReason reason, String message, long authNanos) {
    metrics.handshakeFailed(client.protocol(), reason, Math.max(0, authNanos));
    String who = identity == null || identity.isEmpty() ? "" : identity + " ";
    refusals.add(
        new RefusalRecord(
            Instant.now().toString(),
            client.protocol().crName(),
            reason.code(),
            identity == null ? "" : identity,
            client.remoteHost(),
            client.sessionId(),
            message == null ? "" : message));
    refusalLines.log(
        Level.INFO,
        reason.code(),
        "refused "
            + client.protocol().crName()
            + " client "
            + who
            + "from "
            + client.remoteHost()
            + " ("
            + client.sessionId()
            + "): "
            + reason.code()
            + (message == null || message.isEmpty() ? "" : ": " + message));
  }
}
