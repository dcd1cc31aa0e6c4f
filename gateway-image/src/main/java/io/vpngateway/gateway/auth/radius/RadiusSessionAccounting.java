package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.session.TunnelSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends RADIUS accounting (RFC 2866) for the sessions RADIUS authenticated, whatever their
 * protocol: Accounting-Request Start when a session is registered, Interim-Update with its byte
 * counts every interval while it lives (RFC 2869 section 2.1), Stop with its byte counts when it
 * leaves the registry (see {@link RadiusAccounting} for the attributes), and, at gateway shutdown,
 * Stop for every session still open ({@link #stopAll}). Sessions of other methods (certificate
 * only, OIDC, auth tokens) are not accounted. Listens to the {@code SessionRegistry}; never blocks
 * its caller (records go out on the RADIUS service's pool).
 *
 * <p>The interim interval of a session: the Access-Accept's Acct-Interim-Interval when the server
 * sent one (never below {@link #MIN_SERVER_INTERVAL}, as RFC 2869 section 5.16 advises: a server
 * cannot make the gateway flood it), else the configured {@code accountingInterimInterval}, else
 * none.
 */
public final class RadiusSessionAccounting implements AutoCloseable {
  private static final System.Logger LOG =
      System.getLogger(RadiusSessionAccounting.class.getName());

  /** The shortest interval an Access-Accept may ask for (RFC 2869 section 5.16: 60 s). */
  public static final Duration MIN_SERVER_INTERVAL = Duration.ofSeconds(60);

  private final RadiusService service;
  private final Map<String, Open> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  /** Set by {@link #stopAll} (under {@code open}'s lock): a session registered later is ignored. */
  private boolean stopped;

  /** A session with a Start sent and no Stop yet. */
  private record Open(
      TunnelSession session, RadiusAccounting.Session record, ScheduledFuture<?> interim) {}

  public RadiusSessionAccounting(RadiusService service) {
    this.service = service;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "radius-interim");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The Interim-Update interval for a session: the server's (at least {@link
   * #MIN_SERVER_INTERVAL}), else the configured one; empty for none.
   */
  public static Optional<Duration> interimInterval(
      Optional<Duration> fromServer, Duration configured) {
    if (fromServer.isPresent()) {
      Duration d = fromServer.get();
      return Optional.of(d.compareTo(MIN_SERVER_INTERVAL) < 0 ? MIN_SERVER_INTERVAL : d);
    }
    return configured == null || configured.isZero() || configured.isNegative()
        ? Optional.empty()
        : Optional.of(configured);
  }

  /** A session came up (registered with its inner address). */
  public void started(TunnelSession session) {
    ClientIdentity who = session.identity();
    RadiusSettings settings = service.current();
    if (who == null || who.method() != AuthMethod.RADIUS || settings == null) {
      return;
    }
    RadiusAccounting.Session record =
        new RadiusAccounting.Session(
            who.name(),
            RadiusPasswordBackend.nas(
                new ClientInfo(session.protocol(), session.id(), session.outerAddress(), Map.of()),
                service),
            session.innerAddress(),
            who.assigned().classes(),
            session.since());
    Optional<Duration> every =
        interimInterval(who.assigned().accountingInterval(), settings.interimInterval());
    synchronized (open) { // one Start per session, even if registered twice
      if (stopped || open.containsKey(session.id())) {
        // after stopAll the interim timer is gone, and a Start would never get its Stop: a
        // session a protocol server still admits during shutdown is not accounted
        return;
      }
      ScheduledFuture<?> interim =
          every
              .map(
                  d ->
                      timer.scheduleAtFixedRate(
                          () -> interim(session.id()),
                          d.toMillis(),
                          d.toMillis(),
                          TimeUnit.MILLISECONDS))
              .orElse(null);
      open.put(session.id(), new Open(session, record, interim));
    }
    service.accounting().start(record);
  }

  private void interim(String sessionId) {
    Open o = open.get(sessionId);
    if (o == null) {
      return;
    }
    service.accounting().interim(o.record(), o.session().bytesIn(), o.session().bytesOut());
  }

  /** A session ended: Stop with what it carried. */
  public void ended(TunnelSession session) {
    Open o = open.remove(session.id());
    if (o == null) {
      return;
    }
    cancel(o);
    service.accounting().stop(o.record(), session.bytesIn(), session.bytesOut(),
        RadiusAccounting.TerminateCause.NAS_REQUEST);
  }

  /**
   * The gateway is shutting down: sends Stop (Acct-Terminate-Cause Admin-Reboot) with the byte
   * counts of every session still open and waits for the servers' acknowledgements, at most {@code
   * bound} in all; later session starts and ends send nothing more. Returns how many were acknowledged; the
   * rest are logged as lost.
   */
  public int stopAll(Duration bound) {
    synchronized (open) {
      stopped = true;
    }
    List<CompletableFuture<Boolean>> sent = new ArrayList<>();
    for (String id : List.copyOf(open.keySet())) {
      Open o = open.remove(id);
      if (o == null) {
        continue;
      }
      cancel(o);
      sent.add(service.accounting().stop(o.record(), o.session().bytesIn(),
          o.session().bytesOut(), RadiusAccounting.TerminateCause.ADMIN_REBOOT));
    }
    timer.shutdownNow();
    if (sent.isEmpty()) {
      return 0;
    }
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
          .get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // counted below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int acknowledged = 0;
    for (CompletableFuture<Boolean> f : sent) {
      if (f.isDone() && !f.isCompletedExceptionally() && Boolean.TRUE.equals(f.join())) {
        acknowledged++;
      }
    }
    LOG.log(
        acknowledged == sent.size() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
        "RADIUS accounting at shutdown: Stop for {0} live session(s), {1} acknowledged within {2}"
            + " ms",
        sent.size(),
        acknowledged,
        bound.toMillis());
    return acknowledged;
  }

  private static void cancel(Open o) {
    if (o.interim() != null) {
      o.interim().cancel(false);
    }
  }

  /** Sessions with a Start sent and no Stop yet (tests, metrics). */
  public int open() {
    return open.size();
  }

  @Override
  public void close() {
    synchronized (open) {
      stopped = true;
    }
    timer.shutdownNow();
  }
}
