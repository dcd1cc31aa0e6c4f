package io.vpngateway.gateway.runtime;

import io.vpngateway.api.pki.Thumbprints;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Ends the live sessions whose client certificate the current trust configuration no longer
 * accepts: revoked by the CRL or by thumbprint, its root removed, or expired; or whose groups it
 * now reads differently (a root's groups no longer trusted), since those chose its address pool. Each certificate
 * session is re-authenticated with the very authenticator new handshakes use, so a live session and
 * a new one are always judged by the same rules; sessions that still pass (and sessions that did
 * not use a certificate) are left alone. Run right after a reload swapped the trust snapshot, on
 * every protocol, which is what makes revocation take effect in seconds.
 *
 * <p>Fails closed: a session that authenticated with a certificate but whose chain cannot be
 * checked (not carried by its identity, or not the certificate its thumbprint names) is ended, since
 * keeping it would let a revoked client stay connected.
 */
public final class RevocationEnforcer {
  private static final Logger LOG = Logger.getLogger(RevocationEnforcer.class.getName());

  /** The reason given to a certificate session whose chain is not there to re-check. */
  static final RefusalReason CHAIN_UNKNOWN = RefusalReason.CERTIFICATE_CHAIN_UNKNOWN;

  private final SessionRegistry sessions;
  private final CertificateAuthenticator authenticator;

  public RevocationEnforcer(SessionRegistry sessions, CertificateAuthenticator authenticator) {
    this.sessions = sessions;
    this.authenticator = authenticator;
  }

  /** Checks every live session; returns how many were ended. */
  public int enforce() {
    return enforce(chain -> true);
  }

  /**
   * Re-checks only the sessions whose chain {@code trust} lists (a CRL entry or a revoked
   * thumbprint, {@link TrustSnapshot#lists}), for a reload that kept the anchors: a hash lookup
   * per session instead of a path validation, so a revocation ends its session within
   * milliseconds at 10,000 sessions (a full pass there took seconds of CPU per CRL change). A
   * session whose chain is unknown is re-checked (and ended) as by {@link #enforce()}.
   */
  public int enforceListed(TrustSnapshot trust) {
    return enforce(chain -> chain.isEmpty() || chain.stream().anyMatch(trust::lists));
  }

  private int enforce(Predicate<List<X509Certificate>> candidate) {
    int ended = 0;
    for (TunnelSession s : sessions.all()) {
      ClientIdentity identity = s.identity();
      if (identity == null || !identity.usedCertificate()
          || !candidate.test(identity.certificateChain())) {
        continue;
      }
      RefusalReason reason = rejection(s, identity);
      if (reason != null) {
        s.close(reason.code());
        sessions.unregister(s);
        ended++;
      }
    }
    return ended;
  }

  /** Why the session's certificate is no longer accepted, or null if it still is. */
  private RefusalReason rejection(TunnelSession s, ClientIdentity identity) {
    String session = describe(s, identity);
    if (identity.certificateChain().isEmpty()) {
      LOG.warning(
          "ending "
              + session
              + ": it authenticated with certificate "
              + identity.certificateSha256()
              + " but its chain is not known, so it cannot be re-checked against the new trust"
              + " configuration");
      return CHAIN_UNKNOWN;
    }
    X509Certificate leaf = identity.certificateChain().get(0);
    if (!normalized(Thumbprints.sha256(leaf)).equals(normalized(identity.certificateSha256()))) {
      LOG.warning(
          "ending "
              + session
              + ": its certificate chain does not start with certificate "
              + identity.certificateSha256());
      return CHAIN_UNKNOWN;
    }
    try {
      ClientIdentity now =
          authenticator.authenticate(identity.certificateChain().toArray(new X509Certificate[0]));
      // a certificate identity's groups chose its pool: if the new trust gives it other groups
      // (a root's trustGroups turned off), its address is no longer the one it would get
      if (identity.method() == AuthMethod.CERTIFICATE && !now.groups().equals(identity.groups())) {
        LOG.info(
            "ending "
                + session
                + ": its certificate now carries groups "
                + now.groups()
                + " instead of "
                + identity.groups());
        return RefusalReason.IDENTITY_CHANGED;
      }
      return null;
    } catch (AuthenticationException e) {
      LOG.info("ending " + session + ": " + e.reason());
      return e.reason();
    }
  }

  private static String describe(TunnelSession s, ClientIdentity identity) {
    return "session " + s.id() + " of " + identity.name() + " (" + s.protocol().crName() + ")";
  }

  private static String normalized(String sha256Hex) {
    return sha256Hex.replace(":", "").toLowerCase(Locale.ROOT);
  }
}
