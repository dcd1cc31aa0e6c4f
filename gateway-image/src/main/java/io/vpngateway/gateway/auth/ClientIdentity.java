package io.vpngateway.gateway.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Who a client is once authenticated, whatever the protocol or method: what every authenticator
 * returns (see {@link AuthenticationPipeline}), what the address allocator picks a pool from (by
 * {@link #groups()}), and what a session carries for its whole life.
 *
 * <p>A certificate-authenticated identity carries the chain the client presented, so the session
 * holding it can be judged again under a reloaded trust configuration (a new CRL, a removed root)
 * for as long as it lives. The chain travels with the session rather than in a side table so that
 * no ordering of handshakes and disconnects can leave a live session without it.
 *
 * @param name the identity (certificate common name, RADIUS user name or OIDC subject/claim)
 * @param groups groups that select an address pool: certificate OU values (only from a root whose
 *     groups the gateway trusts), the RADIUS group attribute, the OIDC groups claim
 * @param method how the client proved it
 * @param source which authority vouched for it, for logs and the management API: the subject of
 *     the trust anchor a certificate chained to, the RADIUS server, the OIDC issuer
 * @param certificateSha256 hex SHA-256 of the client certificate, or null when none was used; the
 *     key by which a revocation finds live sessions
 * @param certificateChain the chain the client presented (leaf first) when {@code
 *     certificateSha256} is set; empty when no certificate was used or the chain is not known
 * @param assigned what the authenticating server assigned to the session (RADIUS
 *     Framed-IP-Address, Class); {@link ServerAssignment#NONE} for other methods
 */
public record ClientIdentity(
    String name,
    List<String> groups,
    AuthMethod method,
    String source,
    String certificateSha256,
    List<X509Certificate> certificateChain,
    ServerAssignment assigned) {
  public ClientIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(method, "method");
    groups = List.copyOf(groups);
    source = source == null ? "" : source;
    certificateChain = certificateChain == null ? List.of() : List.copyOf(certificateChain);
    assigned = assigned == null ? ServerAssignment.NONE : assigned;
  }

  /** An identity without a server assignment. */
  public ClientIdentity(
      String name,
      List<String> groups,
      AuthMethod method,
      String source,
      String certificateSha256,
      List<X509Certificate> certificateChain) {
    this(name, groups, method, source, certificateSha256, certificateChain, ServerAssignment.NONE);
  }

  /** An identity without a certificate (RADIUS, OIDC, an auth token). */
  public static ClientIdentity of(
      String name, List<String> groups, AuthMethod method, String source) {
    return new ClientIdentity(name, groups, method, source, null, List.of());
  }

  /** Whether the client authenticated with a certificate (and so must be re-checked on reload). */
  public boolean usedCertificate() {
    return certificateSha256 != null;
  }

  /**
   * Whether the client proved a password (RADIUS, OIDC, or one of our auth tokens that carried
   * that proof): every method but the certificate alone. What an auth token issued to this
   * identity records, and what a reload that requires a password holds a live session to.
   */
  public boolean provedPassword() {
    return method != AuthMethod.CERTIFICATE;
  }

  /** The same identity with other groups (e.g. none, when its root's groups are not trusted). */
  public ClientIdentity withGroups(List<String> newGroups) {
    return new ClientIdentity(
        name, newGroups, method, source, certificateSha256, certificateChain, assigned);
  }

  /** The same identity with what its server assigned (RADIUS Framed-IP-Address, Class). */
  public ClientIdentity withAssignment(ServerAssignment assignment) {
    return new ClientIdentity(
        name, groups, method, source, certificateSha256, certificateChain, assignment);
  }

  /**
   * This (password or EAP) identity, also bound to the certificate {@code certificate} presented:
   * name, groups and method stay this identity's, and the certificate is kept so that revoking it
   * still ends the session.
   */
  public ClientIdentity alsoProvenBy(ClientIdentity certificate) {
    if (certificate == null || !certificate.usedCertificate()) {
      return this;
    }
    return new ClientIdentity(
        name,
        groups,
        method,
        source,
        certificate.certificateSha256(),
        certificate.certificateChain(),
        assigned);
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
        + ", source="
        + source
        + ", certificateSha256="
        + certificateSha256
        + ", chainLength="
        + certificateChain.size()
        + "]";
  }
}
