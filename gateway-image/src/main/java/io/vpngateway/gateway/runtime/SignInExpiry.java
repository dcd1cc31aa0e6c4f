package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Ends live sessions whose sign-in has ended ({@code ServerAssignment.notAfter}: an OIDC token's
 * {@code exp} plus the allowed clock skew), so a user disabled at the issuer, who gets no new
 * token, is cut off at the latest when the token that admitted them expires. The gateway's own
 * auth tokens issued to such a session expire at the same moment, so the client's automatic
 * reconnect is refused ({@code AuthTokenExpired}) and it has to sign in again.
 *
 * <p>The scan runs every few seconds only while some session has a sign-in end: {@link #watch}
 * (the registry's register listener) arms it for such a session, and a scan that finds none left
 * disarms it, so a gateway without OIDC sessions never wakes up for it. A session gets its sign-in
 * end at admission, before it is registered, and never later.
 */
final class SignInExpiry implements Runnable {
  private static final Logger LOG = Logger.getLogger(SignInExpiry.class.getName());

  /** How often the gateway runs the scan: the most a session outlives its sign-in. */
  static final long PERIOD_SECONDS = 5;

  private final SessionRegistry sessions;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> task; // guarded by this: the periodic scan while armed
  private boolean watchedSinceScan; // guarded by this: a session armed it during the last scan

  SignInExpiry(SessionRegistry sessions, Clock clock, ScheduledExecutorService scheduler) {
    this.sessions = sessions;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** A session entered the registry: arms the scan when it has a sign-in end. */
  void watch(TunnelSession s) {
    if (s.identity() == null || s.identity().assigned().notAfter().isEmpty()) {
      return;
    }
    synchronized (this) {
      watchedSinceScan = true;
      if (task == null) {
        task =
            scheduler.scheduleWithFixedDelay(
                this, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  /** Whether the periodic scan is scheduled (tests). */
  synchronized boolean armed() {
    return task != null;
  }

  @Override
  public void run() {
    synchronized (this) {
      watchedSinceScan = false;
    }
    boolean pending;
    try {
      pending = scan(clock.instant());
    } catch (RuntimeException e) {
      // never let one bad session end the periodic task
      LOG.warning("sign-in expiry scan failed: " + e);
      pending = true;
    }
    if (!pending) {
      synchronized (this) {
        // a session registered while the scan ran may have been missed by it: keep the task
        if (!watchedSinceScan && task != null) {
          task.cancel(false);
          task = null;
        }
      }
    }
  }

  /** Ends the sessions past their sign-in's end; whether some session's end is still ahead. */
  private boolean scan(Instant now) {
    boolean pending = false;
    for (TunnelSession s : sessions.all()) {
      if (s.identity() == null) {
        continue;
      }
      Optional<Instant> notAfter = s.identity().assigned().notAfter();
      if (notAfter.isPresent() && !now.isAfter(notAfter.get())) {
        pending = true;
      }
      if (notAfter.isPresent() && now.isAfter(notAfter.get())) {
        LOG.info(
            "session "
                + s.id()
                + " of "
                + s.identity().name()
                + " ended: its sign-in expired at "
                + notAfter.get()
                + " (TokenExpired); reconnecting needs a new sign-in");
        try {
          s.close("sign-in expired (TokenExpired)");
        } catch (RuntimeException e) {
          LOG.warning("ending session " + s.id() + " failed: " + e);
        }
      }
    }
    return pending;
  }
}
