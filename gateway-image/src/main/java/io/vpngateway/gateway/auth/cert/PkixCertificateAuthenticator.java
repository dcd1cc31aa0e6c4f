package io.vpngateway.gateway.auth.cert;

import io.vpngateway.api.pki.ClientCertificates;
import io.vpngateway.api.pki.Thumbprints;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.RefusalReason;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Client certificate authentication by PKIX path validation (RFC 5280 §6) with the JDK's {@code
 * CertPathValidator}, against the current {@link TrustSnapshot}.
 *
 * <p>A chain (leaf first, as TLS and IKE present it) is accepted when, in this order:
 *
 * <ol>
 *   <li>no certificate of it has a revoked SHA-1 or SHA-256 thumbprint ({@code
 *       CertificateRevoked});
 *   <li>the leaf is within its validity period ({@code CertificateExpired}, {@code
 *       CertificateNotYetValid});
 *   <li>the leaf's extended key usage includes clientAuth, RFC 5280 §4.2.1.12 ({@code
 *       MissingClientAuthEku}), and its key usage, when present, allows digitalSignature ({@code
 *       KeyUsageNotAllowed});
 *   <li>the path validates to one of the anchors: signatures, validity, CA constraints ({@code
 *       UntrustedIssuer}, {@code InvalidSignature}, {@code InvalidCertificateChain});
 *   <li>no certificate of the path is listed on a CRL of its issuer ({@code CertificateRevoked}).
 * </ol>
 *
 * <p>Revocation uses only the CRLs in the snapshot, never the network: the JDK's own revocation
 * checker is off (it would fail every chain whose issuer has no CRL, and could fetch CRL
 * distribution points). A CRL past its nextUpdate still revokes: an operator outage must not
 * un-revoke anyone.
 *
 * <p>The identity is the subject CN, with the subject OU values as groups, the way the gateway CA
 * writes them; the groups are kept only when the chain's anchor is one whose groups the snapshot
 * trusts (the gateway CA, trusted roots with {@code trustGroups}), else the client has none and
 * gets the default pool.
 *
 * <p>{@link #update} swaps the snapshot atomically; the next handshake sees the new one.
 *
 * <p>A chain that passed path validation is remembered (by the SHA-256 of its certificates, while
 * the snapshots trust the same anchors and every certificate of its path is within its validity),
 * so a client that reconnects, and the periodic re-check of live sessions, skip the signature
 * checks of step 4; steps 1-3 and 5 (thumbprints, validity, key usage, CRLs) run at every call,
 * so revocation stays exact. Path validation depends on the anchors, never on CRLs or
 * thumbprints, so a snapshot that only revokes more (a CRL write) keeps what was remembered; one
 * with other anchors starts with nothing.
 */
public final class PkixCertificateAuthenticator implements CertificateAuthenticator {
  static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
  private static final int KEY_USAGE_DIGITAL_SIGNATURE = 0;

  /**
   * Validated chains remembered per set of anchors; when full, forgotten all at once. Above the
   * 10,000 sessions a pod is sized for: the periodic re-check authenticates every live session's
   * chain, and a smaller cache would forget them all every pass (10,000 path validations a
   * minute).
   */
  static final int PATH_CACHE_SIZE = 16384;

  private final AtomicReference<TrustSnapshot> snapshot;
  private final Clock clock;
  private final AtomicReference<PathCache> paths = new AtomicReference<>();
  private final LongAdder pathValidations = new LongAdder();

  public PkixCertificateAuthenticator(TrustSnapshot initial, Clock clock) {
    this.snapshot = new AtomicReference<>(Objects.requireNonNull(initial, "initial snapshot"));
    this.clock = clock;
  }

  public PkixCertificateAuthenticator(TrustSnapshot initial) {
    this(initial, Clock.systemUTC());
  }

  /** Installs a new snapshot for every handshake that starts from now on. */
  public void update(TrustSnapshot next) {
    snapshot.set(Objects.requireNonNull(next, "snapshot"));
  }

  public TrustSnapshot current() {
    return snapshot.get();
  }

  @Override
  public ClientIdentity authenticate(X509Certificate[] chain) throws AuthenticationException {
    if (chain == null || chain.length == 0 || chain[0] == null) {
      throw new AuthenticationException(RefusalReason.NO_CLIENT_CERTIFICATE, "the client sent no certificate");
    }
    TrustSnapshot trust = snapshot.get();
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    for (X509Certificate c : chain) {
      if (c != null && trust.revokedByThumbprint(c)) {
        throw new AuthenticationException(
            RefusalReason.CERTIFICATE_REVOKED,
            "certificate " + c.getSubjectX500Principal().getName() + " has a revoked thumbprint");
      }
    }
    Date now = Date.from(clock.instant());
    checkValidity(leaf, subject, now);
    checkKeyUsage(leaf, subject);
    ValidatedPath validated = rememberedOrValidated(chain, trust, subject, now);
    List<X509Certificate> path = validated.path();
    for (int i = 0; i < path.size(); i++) {
      X509Certificate c = path.get(i);
      // the last certificate's issuer is the anchor PKIX validated it against: no second
      // signature check to find it again
      X509Certificate issuer = i + 1 < path.size() ? path.get(i + 1) : validated.anchor();
      if (issuer != null && trust.revokedByCrl(c, issuer.getPublicKey())) {
        throw new AuthenticationException(
            RefusalReason.CERTIFICATE_REVOKED,
            "certificate "
                + subject
                + (c == leaf ? "" : " (issuer " + c.getSubjectX500Principal().getName() + ")")
                + " is revoked by a CRL");
      }
    }
    String name =
        ClientCertificates.commonNameOf(leaf)
            .orElseThrow(
                () ->
                    new AuthenticationException(
                        RefusalReason.MISSING_COMMON_NAME, "certificate " + subject + " has no CN"));
    // groups select an address pool: only those of an anchor the gateway trusts for that (its own
    // CA, roots with trustGroups); anyone else's certificate authenticates into the default pool
    List<String> groups =
        trust.trustsGroupsOf(validated.anchor()) ? ClientCertificates.groupsOf(leaf) : List.of();
    return new ClientIdentity(
        name,
        groups,
        AuthMethod.CERTIFICATE,
        validated.anchor().getSubjectX500Principal().getName(),
        Thumbprints.sha256(leaf),
        Arrays.stream(chain).filter(Objects::nonNull).toList());
  }

  private static void checkValidity(X509Certificate leaf, String subject, Date now)
      throws AuthenticationException {
    try {
      leaf.checkValidity(now);
    } catch (CertificateExpiredException e) {
      throw new AuthenticationException(
          RefusalReason.CERTIFICATE_EXPIRED,
          "certificate " + subject + " expired at " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new AuthenticationException(
          RefusalReason.CERTIFICATE_NOT_YET_VALID,
          "certificate " + subject + " is valid only from " + leaf.getNotBefore().toInstant());
    }
  }

  private static void checkKeyUsage(X509Certificate leaf, String subject)
      throws AuthenticationException {
    List<String> eku;
    try {
      eku = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new AuthenticationException(
          RefusalReason.INVALID_CERTIFICATE,
          "certificate " + subject + " has an unreadable extended key usage",
          e);
    }
    if (eku == null || !eku.contains(CLIENT_AUTH_EKU)) {
      throw new AuthenticationException(
          RefusalReason.MISSING_CLIENT_AUTH_EKU,
          "certificate " + subject + " is not for client authentication (no clientAuth EKU)");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !keyUsage[KEY_USAGE_DIGITAL_SIGNATURE]) {
      throw new AuthenticationException(
          RefusalReason.KEY_USAGE_NOT_ALLOWED,
          "certificate " + subject + " key usage does not allow digitalSignature");
    }
  }

  /** How many chains went through PKIX path validation (the rest were remembered). */
  long pathValidations() {
    return pathValidations.sum();
  }

  private record PathCache(TrustSnapshot trust, ConcurrentHashMap<String, RememberedPath> paths) {}

  /** A validated path and the time window in which every certificate of it is valid. */
  private record RememberedPath(ValidatedPath validated, long notBefore, long notAfter) {}

  private ValidatedPath rememberedOrValidated(
      X509Certificate[] chain, TrustSnapshot trust, String subject, Date now)
      throws AuthenticationException {
    PathCache cache = paths.get();
    if (cache == null || cache.trust() != trust) {
      // same anchors (a CRL-only change): the remembered paths carry over to the new snapshot
      cache = new PathCache(trust, cache != null && trust.sameAnchorsAs(cache.trust())
          ? cache.paths() : new ConcurrentHashMap<>());
      paths.set(cache);
    }
    String key = chainKey(chain);
    RememberedPath hit = key == null ? null : cache.paths().get(key);
    long t = now.getTime();
    if (hit != null && t >= hit.notBefore() && t <= hit.notAfter()) {
      return hit.validated();
    }
    ValidatedPath validated = validatePath(chain, trust, subject, now);
    pathValidations.increment();
    if (key != null) {
      long notBefore = Long.MIN_VALUE;
      long notAfter = Long.MAX_VALUE;
      for (X509Certificate c : validated.path()) {
        notBefore = Math.max(notBefore, c.getNotBefore().getTime());
        notAfter = Math.min(notAfter, c.getNotAfter().getTime());
      }
      if (cache.paths().size() >= PATH_CACHE_SIZE) {
        cache.paths().clear();
      }
      cache.paths().put(key, new RememberedPath(validated, notBefore, notAfter));
    }
    return validated;
  }

  /** SHA-256 over the DER encodings of the chain (self-delimiting); null if one cannot be encoded. */
  private static String chainKey(X509Certificate[] chain) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (X509Certificate c : chain) {
        sha256.update(c == null ? new byte[] {0} : c.getEncoded());
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      return null;
    }
  }

  /** A chain that passed PKIX: its certificates (leaf first, anchor removed) and its anchor. */
  private record ValidatedPath(List<X509Certificate> path, X509Certificate anchor) {}

  /** Runs PKIX; returns the validated certificates (leaf first, anchors removed). */
  private static ValidatedPath validatePath(
      X509Certificate[] chain, TrustSnapshot trust, String subject, Date now)
      throws AuthenticationException {
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      // peers often append the root; the anchor itself is not part of an RFC 5280 path
      if (c != null && !trust.isAnchor(c)) {
        path.add(c);
      }
    }
    if (path.isEmpty()) {
      throw new AuthenticationException(
          RefusalReason.INVALID_CERTIFICATE_CHAIN, "the client presented only a CA certificate");
    }
    try {
      PKIXParameters params = new PKIXParameters(trust.trustAnchors());
      params.setRevocationEnabled(false);
      params.setDate(now);
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult)
              CertPathValidator.getInstance("PKIX")
                  .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return new ValidatedPath(path, result.getTrustAnchor().getTrustedCert());
    } catch (CertPathValidatorException e) {
      throw new AuthenticationException(
          reasonOf(e), "certificate " + subject + " failed path validation: " + e.getMessage(), e);
    } catch (InvalidAlgorithmParameterException
        | NoSuchAlgorithmException
        | CertificateException e) {
      throw new AuthenticationException(
          RefusalReason.INVALID_CERTIFICATE_CHAIN,
          "cannot validate certificate " + subject + ": " + e.getMessage(),
          e);
    }
  }

  static RefusalReason reasonOf(CertPathValidatorException e) {
    CertPathValidatorException.Reason reason = e.getReason();
    if (reason == PKIXReason.NO_TRUST_ANCHOR) {
      return RefusalReason.UNTRUSTED_ISSUER;
    }
    if (reason == BasicReason.EXPIRED) {
      return RefusalReason.CERTIFICATE_EXPIRED;
    }
    if (reason == BasicReason.NOT_YET_VALID) {
      return RefusalReason.CERTIFICATE_NOT_YET_VALID;
    }
    if (reason == BasicReason.REVOKED) {
      return RefusalReason.CERTIFICATE_REVOKED;
    }
    if (reason == BasicReason.INVALID_SIGNATURE) {
      return RefusalReason.INVALID_SIGNATURE;
    }
    if (reason == BasicReason.ALGORITHM_CONSTRAINED) {
      return RefusalReason.WEAK_ALGORITHM;
    }
    return RefusalReason.INVALID_CERTIFICATE_CHAIN;
  }
}
