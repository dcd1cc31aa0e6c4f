package io.vpngateway.gateway.auth.cert;

import io.vpngateway.api.pki.PkiException;
import io.vpngateway.api.pki.Thumbprints;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Everything client-certificate authentication depends on, frozen at one configuration version: the
 * trust anchors (the gateway CA and up to {@value #MAX_TRUSTED_ROOTS} trusted roots), the CRLs
 * those anchors signed, and the revoked thumbprints. Immutable, so a handshake that started under
 * one snapshot finishes under it while a reload installs the next.
 */
public final class TrustSnapshot {
  /** The gateway CA plus the CR's {@code trustedRoots} (at most 20, as Azure). */
  public static final int MAX_TRUSTED_ROOTS = 20;

  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> anchorCertificates;
  private final Map<X500Principal, List<X509CRL>> crlsByIssuer;
  private final Set<String> revokedSha1;
  private final Set<String> revokedSha256;
  private final Set<X509Certificate> groupAnchors;

  private TrustSnapshot(
      List<X509Certificate> anchorCertificates,
      Map<X500Principal, List<X509CRL>> crlsByIssuer,
      Set<String> revokedSha1,
      Set<String> revokedSha256,
      Set<X509Certificate> groupAnchors) {
    this.anchorCertificates = List.copyOf(anchorCertificates);
    this.groupAnchors = Set.copyOf(groupAnchors);
    Set<TrustAnchor> set = new LinkedHashSet<>();
    anchorCertificates.forEach(c -> set.add(new TrustAnchor(c, null)));
    this.anchors = Set.copyOf(set);
    this.crlsByIssuer = Map.copyOf(crlsByIssuer);
    this.revokedSha1 = Set.copyOf(revokedSha1);
    this.revokedSha256 = Set.copyOf(revokedSha256);
  }

  /**
   * Builds and checks a snapshot.
   *
   * @param anchors the gateway CA first, then trusted roots; each must be a CA certificate
   * @param crls CRLs of the anchors or of intermediates below them; an anchor's CRL must verify
   *     with its key now, an intermediate's is verified against the intermediate a client chain
   *     presents, at each use
   * @param revokedThumbprints SHA-1 or SHA-256 thumbprints in any common notation
   * @throws IllegalArgumentException naming the offending certificate, CRL or thumbprint
   */
  public static TrustSnapshot of(
      Collection<X509Certificate> anchors,
      Collection<X509CRL> crls,
      Collection<String> revokedThumbprints) {
    return of(anchors, crls, revokedThumbprints, anchors);
  }

  /**
   * As {@link #of(Collection, Collection, Collection)}, with the anchors whose certificates'
   * groups may select an address pool; a certificate under any other anchor authenticates with no
   * groups (the default pool).
   *
   * @param groupAnchors a subset of {@code anchors}: the gateway CA, and the trusted roots whose
   *     {@code trustGroups} is on
   */
  public static TrustSnapshot of(
      Collection<X509Certificate> anchors,
      Collection<X509CRL> crls,
      Collection<String> revokedThumbprints,
      Collection<X509Certificate> groupAnchors) {
    if (!anchors.containsAll(groupAnchors)) {
      throw new IllegalArgumentException("a group anchor must be one of the trust anchors");
    }
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("no trust anchor: the gateway CA is required");
    }
    if (anchors.size() > MAX_TRUSTED_ROOTS + 1) {
      throw new IllegalArgumentException(
          "at most "
              + MAX_TRUSTED_ROOTS
              + " trusted roots besides the gateway CA, got "
              + (anchors.size() - 1));
    }
    for (X509Certificate anchor : anchors) {
      if (anchor.getBasicConstraints() < 0) {
        throw new IllegalArgumentException(
            "trusted root "
                + anchor.getSubjectX500Principal()
                + " is not a CA certificate (basicConstraints CA:FALSE or missing)");
      }
    }
    Map<X500Principal, List<X509CRL>> byIssuer = new HashMap<>();
    for (X509CRL crl : crls) {
      X500Principal issuer = crl.getIssuerX500Principal();
      List<X509Certificate> sameName =
          anchors.stream().filter(a -> a.getSubjectX500Principal().equals(issuer)).toList();
      // a root's CRL is checked now; an intermediate's when a chain brings that intermediate
      if (!sameName.isEmpty()
          && sameName.stream().noneMatch(a -> verifies(crl, a.getPublicKey()))) {
        throw new IllegalArgumentException(
            "CRL from " + issuer + " does not verify with that trusted root's key");
      }
      byIssuer.computeIfAbsent(issuer, k -> new ArrayList<>()).add(crl);
    }
    byIssuer.replaceAll((k, v) -> List.copyOf(v));
    Set<String> sha1 = new LinkedHashSet<>();
    Set<String> sha256 = new LinkedHashSet<>();
    for (String t : revokedThumbprints) {
      String hex;
      try {
        hex = Thumbprints.normalize(t);
      } catch (PkiException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      (hex.length() == 40 ? sha1 : sha256).add(hex);
    }
    return new TrustSnapshot(
        List.copyOf(anchors), byIssuer, sha1, sha256, new java.util.HashSet<>(groupAnchors));
  }

  private static boolean verifies(X509CRL crl, PublicKey issuerKey) {
    try {
      crl.verify(issuerKey);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  Set<TrustAnchor> trustAnchors() {
    return anchors;
  }

  /** Whether certificates that chain to {@code anchor} may select a pool by their groups. */
  boolean trustsGroupsOf(X509Certificate anchor) {
    return groupAnchors.contains(anchor);
  }

  public List<X509Certificate> anchorCertificates() {
    return anchorCertificates;
  }

  boolean isAnchor(X509Certificate certificate) {
    return anchorCertificates.contains(certificate);
  }

  /**
   * True when a CRL of {@code certificate}'s issuer, signed with {@code issuerKey} (the key of the
   * issuer in the validated path), lists its serial number. A CRL that does not verify with that
   * key is not the issuer's and is ignored.
   */
  boolean revokedByCrl(X509Certificate certificate, PublicKey issuerKey) {
    for (X509CRL crl : crlsByIssuer.getOrDefault(certificate.getIssuerX500Principal(), List.of())) {
      if (crl.isRevoked(certificate) && verifies(crl, issuerKey)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when this snapshot trusts the same anchors as {@code other} and reads groups under the
   * same ones: then a chain {@code other} accepted is accepted here unless this snapshot lists one
   * of its certificates ({@link #lists}), or it expired meanwhile.
   */
  public boolean sameAnchorsAs(TrustSnapshot other) {
    return other != null
        && anchorCertificates.equals(other.anchorCertificates)
        && groupAnchors.equals(other.groupAnchors);
  }

  /**
   * True when a CRL of the certificate's issuer (by name, signature not checked) lists its
   * serial, or its thumbprint is revoked: a hash lookup, no cryptography but the thumbprint's
   * digest when thumbprints are revoked. A candidate for {@link PkixCertificateAuthenticator}'s
   * full check, never a verdict.
   */
  public boolean lists(X509Certificate certificate) {
    for (X509CRL crl : crlsByIssuer.getOrDefault(certificate.getIssuerX500Principal(), List.of())) {
      if (crl.isRevoked(certificate)) {
        return true;
      }
    }
    return revokedByThumbprint(certificate);
  }

  boolean revokedByThumbprint(X509Certificate certificate) {
    return (!revokedSha1.isEmpty() && revokedSha1.contains(Thumbprints.sha1(certificate)))
        || (!revokedSha256.isEmpty() && revokedSha256.contains(Thumbprints.sha256(certificate)));
  }

  @Override
  public String toString() {
    return "TrustSnapshot["
        + anchorCertificates.size()
        + " anchors, "
        + crlsByIssuer.values().stream().mapToInt(List::size).sum()
        + " CRLs, "
        + (revokedSha1.size() + revokedSha256.size())
        + " revoked thumbprints]";
  }
}
