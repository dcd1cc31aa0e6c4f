package io.vpngateway.gateway.admission;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.metrics.RateLimitedLog;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
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

  /**
   * Judges a live session's identity again under the authentication rules in force now ({@link
   * AuthenticationPipeline#requireLiveRules}: after a reload turned certificate authentication
   * off, required a certificate and a password, or required a certificate): null while it is
   * still admitted, else the reason, reported like a new client's refusal (log line, {@code
   * handshakes_total}, {@code GET /refusals}). The one decision every protocol's live sessions
   * are held to: IKEv2's and SSTP's at each reload ({@link #endSessionsNoLongerAdmitted}),
   * OpenVPN's at each reload and renegotiation (through its session admission, which may let a
   * certificate the client showed prove what is now required).
   */
  public RefusalReason rejudge(ClientInfo client, ClientIdentity identity) {
    try {
      authentication.requireLiveRules(identity);
      return null;
    } catch (AuthenticationException e) {
      report(client, identity.name(), e.reason(), "live session: " + e.getMessage());
      return e.reason();
    }
  }

  /**
   * Ends the live sessions of {@code protocol} that the rules in force now no longer admit
   * ({@link #rejudge}), each through its own {@link TunnelSession#close} (IKEv2: an INFORMATIONAL
   * Delete; SSTP: PPP Terminate and Call Disconnect) with one log line naming the reason; the
   * sessions still admitted are not touched. For protocols whose clients show nothing new after
   * their login (IKEv2, SSTP), run right after a reload (OpenVPN judges its own on its control
   * thread: {@code OpenVpnServer.endSessionsNoLongerAdmitted}). Certificate trust (CRL, roots,
   * thumbprints) is not judged here: the revocation enforcer re-checks the chains on the same
   * reload, for every protocol. Returns how many sessions were ended.
   */
  public int endSessionsNoLongerAdmitted(SessionRegistry sessions, VpnProtocol protocol) {
    int ended = 0;
    for (TunnelSession s : sessions.all()) {
      ClientIdentity identity = s.identity();
      if (s.protocol() != protocol || identity == null) {
        continue;
      }
      RefusalReason reason =
          rejudge(new ClientInfo(protocol, s.id(), s.outerAddress()), identity);
      if (reason != null) {
        LOG.info(
            "ending "
                + protocol.crName()
                + " session "
                + s.id()
                + " of "
                + identity.name()
                + ": the reloaded authentication settings no longer admit it ("
                + reason.code()
                + ")");
        s.close("no longer admitted after a reload: " + reason.code());
        sessions.unregister(s);
        ended++;
      }
    }
    return ended;
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
