package io.vpngateway.gateway.session;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who a client is once authenticated, whatever the protocol or method.
 *
 * <p>A certificate-authenticated identity carries the chain the client presented, so the session
 * holding it can be judged again under a reloaded trust configuration (a new CRL, a removed root)
 * for as long as it lives. The chain travels with the session rather than in a side table so that
 * no ordering of handshakes and disconnects can leave a live session without it.
 *
 * @param name the identity (certificate common name, RADIUS user name or OIDC subject)
 * @param groups groups used to pick an address pool (from the certificate, RADIUS reply or token)
 * @param method how the client proved it: {@code certificate}, {@code radius} or {@code oidc}
 * @param certificateSha256 hex SHA-256 of the client certificate, or null when none was used; the
 *     key by which a revocation finds live sessions
 * @param certificateChain the chain the client presented (leaf first) when {@code
 *     certificateSha256} is set; empty when no certificate was used or the chain is not known
 */
public record ClientIdentity(
    String name,
    List<String> groups,
    String method,
    String certificateSha256,
    List<X509Certificate> certificateChain) {
  public ClientIdentity {
    groups = List.copyOf(groups);
    certificateChain = certificateChain == null ? List.of() : List.copyOf(certificateChain);
  }

  /** An identity without a known certificate chain (RADIUS, OIDC, or tests). */
  public ClientIdentity(String name, List<String> groups, String method, String certificateSha256) {
    this(name, groups, method, certificateSha256, List.of());
  }

  /** Whether the client authenticated with a certificate (and so must be re-checked on reload). */
  public boolean usedCertificate() {
    return certificateSha256 != null;
  }

  /** Names the certificate by thumbprint only; the chain itself is not worth a log line. */
  @Override
  public String toString() {
    return "ClientIdentity[name="
        + name
        + ", groups="
        + groups
        + ", method="
        + method
        + ", certificateSha256="
        + certificateSha256
        + ", chainLength="
        + certificateChain.size()
        + "]";
  }
}
