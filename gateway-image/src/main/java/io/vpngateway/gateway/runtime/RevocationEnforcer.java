package io.vpngateway.gateway.runtime;

import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Ends the live sessions whose client certificate the current trust configuration no longer
 * accepts: revoked by the CRL or by thumbprint, its root removed, or expired. Each certificate
 * session is re-authenticated with the very authenticator new handshakes use, so a live session and
 * a new one are always judged by the same rules; sessions that still pass (and sessions that did
 * not use a certificate) are left alone. Run right after a reload swapped the trust snapshot, on
 * every protocol, which is what makes revocation take effect in seconds.
 */
public final class RevocationEnforcer {
  private static final Logger LOG = Logger.getLogger(RevocationEnforcer.class.getName());

  private final SessionRegistry sessions;
  private final LiveCertificates live;
  private final CertificateAuthenticator authenticator;

  public RevocationEnforcer(
      SessionRegistry sessions, LiveCertificates live, CertificateAuthenticator authenticator) {
    this.sessions = sessions;
    this.live = live;
    this.authenticator = authenticator;
  }

  /** Checks every live session; returns how many were ended. */
  public int enforce() {
    int ended = 0;
    for (TunnelSession s : sessions.all()) {
      Optional<X509Certificate[]> chain = live.chainOf(s);
      if (chain.isEmpty()) {
        continue;
      }
      try {
        authenticator.authenticate(chain.get());
      } catch (AuthenticationException e) {
        LOG.info(
            "ending session "
                + s.id()
                + " of "
                + s.identity().name()
                + " ("
                + s.protocol().crName()
                + "): "
                + e.reason());
        s.close(e.reason());
        sessions.unregister(s);
        ended++;
      }
    }
    return ended;
  }
}
