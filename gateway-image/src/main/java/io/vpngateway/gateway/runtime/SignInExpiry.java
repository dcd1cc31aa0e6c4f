package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Ends live sessions whose sign-in has ended ({@code ServerAssignment.notAfter}: an OIDC token's
 * {@code exp} plus the allowed clock skew), so a user disabled at the issuer, who gets no new
 * token, is cut off at the latest when the token that admitted them expires. The gateway's own
 * auth tokens issued to such a session expire at the same moment, so the client's automatic
 * reconnect is refused ({@code AuthTokenExpired}) and it has to sign in again. Run every few
 * seconds by the gateway; a scan costs one pass over the registry.
 */
final class SignInExpiry implements Runnable {
  private static final Logger LOG = Logger.getLogger(SignInExpiry.class.getName());

  /** How often the gateway runs the scan: the most a session outlives its sign-in. */
  static final long PERIOD_SECONDS = 5;

  private final SessionRegistry sessions;
  private final Clock clock;

  SignInExpiry(SessionRegistry sessions, Clock clock) {
    this.sessions = sessions;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      scan(clock.instant());
    } catch (RuntimeException e) {
      // never let one bad session end the periodic task
      LOG.warning("sign-in expiry scan failed: " + e);
    }
  }

  private void scan(Instant now) {
    for (TunnelSession s : sessions.all()) {
      if (s.identity() == null) {
        continue;
      }
      Optional<Instant> notAfter = s.identity().assigned().notAfter();
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
  }
}
