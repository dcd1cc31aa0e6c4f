package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator;
import io.vpngateway.gateway.auth.cert.TrustSnapshot;
import io.vpngateway.gateway.config.ConfigListener;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.session.SessionRegistry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Certificate authentication of the running gateway: one PKIX authenticator shared by every
 * protocol, fed from the config. On reload it installs the new trust snapshot (roots, CRL, revoked
 * thumbprints) for the next handshakes, then re-checks live sessions so revoked clients are cut off
 * at once.
 */
public final class CertificateTrust implements ConfigListener {
  private static final Logger LOG = Logger.getLogger(CertificateTrust.class.getName());

  private final PkixCertificateAuthenticator authenticator;
  private final RevocationEnforcer enforcer;

  public CertificateTrust(RuntimeConfig initial, SessionRegistry sessions) {
    this.authenticator = new PkixCertificateAuthenticator(snapshotOf(initial));
    this.enforcer = new RevocationEnforcer(sessions, authenticator);
  }

  /**
   * The authenticator of the gateway's pipeline (every protocol uses it through the admission).
   * The identities it returns carry the client's chain, which is what lets a reload re-check the
   * live sessions.
   */
  public CertificateAuthenticator authenticator() {
    return authenticator;
  }

  /**
   * Installs the new trust, then ends what it no longer accepts. When the anchors did not change
   * (a CRL written by {@code vpngw revoke} or the operator, a thumbprint added), a session that
   * passed before can only fail now by being listed, so only listed sessions are re-checked; any
   * other change re-checks every session. Expiry is left to the periodic {@link #enforce()}.
   */
  @Override
  public void onReload(RuntimeConfig previous, RuntimeConfig next) {
    TrustSnapshot before = authenticator.current();
    TrustSnapshot after = snapshotOf(next);
    authenticator.update(after);
    int ended = after.sameAnchorsAs(before) ? enforcer.enforceListed(after) : enforcer.enforce();
    if (ended > 0) {
      LOG.info(
          "trust configuration reloaded; ended "
              + ended
              + " session(s) whose certificate is no longer accepted");
    }
  }

  /** Re-checks live sessions now (also run periodically, so expiry ends sessions too). */
  public int enforce() {
    return enforcer.enforce();
  }

  /**
   * The trust anchors, CRL and revoked thumbprints of a config, as the authenticator takes them,
   * and the anchors whose certificates' groups select pools: the gateway CA, and the trusted roots
   * the config lists in {@code trustedRootsWithGroups} (the CR's {@code trustGroups}).
   */
  static TrustSnapshot snapshotOf(RuntimeConfig config) {
    GatewayConfig.Certificate cert = config.document().authentication().certificate();
    List<String> thumbprints =
        cert == null
            ? List.of()
            : cert.revokedThumbprints().stream()
                .map(GatewayConfig.RevokedThumbprint::thumbprint)
                .toList();
    List<X509Certificate> groupAnchors = new ArrayList<>();
    if (cert == null || cert.builtInCa()) {
      groupAnchors.add(config.caCertificate());
    }
    if (cert != null) {
      // RuntimeConfig keeps the roots in the document's trustedRoots order
      for (int i = 0; i < cert.trustedRoots().size() && i < config.trustedRoots().size(); i++) {
        if (cert.trustedRootsWithGroups().contains(cert.trustedRoots().get(i))) {
          groupAnchors.add(config.trustedRoots().get(i));
        }
      }
    }
    List<X509Certificate> anchors =
        config.clientTrustAnchors().isEmpty()
            ? List.of(config.caCertificate())
            : config.clientTrustAnchors();
    groupAnchors.retainAll(anchors);
    return TrustSnapshot.of(anchors, config.crl().stream().toList(), thumbprints, groupAnchors);
  }
}
