package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A gateway's CRL over its life (RFC 5280 §5), the one implementation the operator (the CRL Secret)
 * and {@code vpngw} standalone (the state directory's {@code crl.pem}) both use. The signed CRL
 * itself is the record of revocations: entries are only ever added (a deleted ClientCertificate
 * leaves no other trace), and a re-signed CRL carries every entry of the previous one with a higher
 * CRL number. A CRL is complete (§5), so a re-signed CRL that dropped an entry would un-revoke that
 * certificate: every method here that signs keeps the entries it was given.
 */
public final class RevocationList {
  private RevocationList() {}

  /** {@code pem} as a CRL, or empty when it is not one. */
  public static Optional<X509CRL> decode(String pem) {
    try {
      return Optional.of(Pem.decodeCrl(pem));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The entries of {@code crl}, by serial. */
  public static List<RevokedCertificate> entries(X509CRL crl) {
    Set<? extends X509CRLEntry> revoked = crl.getRevokedCertificates();
    List<RevokedCertificate> entries = new ArrayList<>();
    if (revoked != null) {
      for (X509CRLEntry e : revoked) {
        entries.add(new RevokedCertificate(e.getSerialNumber(), e.getRevocationDate().toInstant()));
      }
    }
    entries.sort((a, b) -> a.serialNumber().compareTo(b.serialNumber()));
    return entries;
  }

  /** Whether {@code crl} lists {@code serial}. */
  public static boolean lists(X509CRL crl, BigInteger serial) {
    return crl.getRevokedCertificate(serial) != null;
  }

  /** Whether {@code ca} signed {@code crl}. */
  public static boolean signedBy(CertificateAuthority ca, X509CRL crl) {
    try {
      crl.verify(ca.certificate().getPublicKey());
      return crl.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code crl} is signed by {@code ca} and valid for longer than {@code renewBefore}. */
  public static boolean usable(
      CertificateAuthority ca, X509CRL crl, Instant now, Duration renewBefore) {
    return signedBy(ca, crl)
        && crl.getNextUpdate() != null
        && crl.getNextUpdate().toInstant().minus(renewBefore).isAfter(now);
  }

  /** When a CRL must be re-signed. */
  public static Instant renewalTime(X509CRL crl, Duration renewBefore) {
    return crl.getNextUpdate().toInstant().minus(renewBefore);
  }

  /** A freshly signed CRL with the entries of {@code previous} (if any) plus {@code added}. */
  public static X509CRL sign(
      CertificateAuthority ca,
      Optional<X509CRL> previous,
      List<RevokedCertificate> added,
      Instant now,
      Duration validity) {
    List<RevokedCertificate> entries =
        new ArrayList<>(previous.map(RevocationList::entries).orElse(List.of()));
    for (RevokedCertificate entry : added) {
      if (entries.stream().noneMatch(e -> e.serialNumber().equals(entry.serialNumber()))) {
        entries.add(entry);
      }
    }
    return ca.issueCrl(entries, Crls.nextNumber(previous, now), now, now.plus(validity));
  }

  /**
   * The CRL to publish now: {@code previous} itself while it is {@link #usable usable} (so an
   * unchanged CRL is never rewritten), else a CRL signed now with its entries. Only a CRL this CA
   * signed is extended: a foreign or unreadable one is not ours to carry on, and is replaced by an
   * empty one.
   */
  public static X509CRL current(
      CertificateAuthority ca,
      Optional<X509CRL> previous,
      Instant now,
      Duration validity,
      Duration renewBefore) {
    if (previous.isPresent() && usable(ca, previous.get(), now, renewBefore)) {
      return previous.get();
    }
    Optional<X509CRL> ours = previous.filter(c -> signedBy(ca, c));
    return sign(ca, ours, List.of(), now, validity);
  }

  /**
   * {@code current} (only if this CA signed it) plus every one of {@code serials} it does not list
   * yet, revoked at {@code now}, in one newly signed CRL; empty when every serial is listed already
   * (nothing to write).
   */
  public static Optional<X509CRL> revoke(
      CertificateAuthority ca,
      Optional<X509CRL> current,
      Collection<BigInteger> serials,
      Instant now,
      Duration validity) {
    Optional<X509CRL> ours = current.filter(c -> signedBy(ca, c));
    List<RevokedCertificate> added = new ArrayList<>();
    for (BigInteger serial : serials) {
      boolean listed = ours.isPresent() && lists(ours.get(), serial);
      if (!listed && added.stream().noneMatch(a -> a.serialNumber().equals(serial))) {
        added.add(new RevokedCertificate(serial, now));
      }
    }
    if (added.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(sign(ca, ours, added, now, validity));
  }

  /**
   * {@code wanted} (a CRL signed from a possibly stale copy) with every entry of {@code current}
   * (the CRL stored now) it lacks. When nothing is missing, {@code wanted} itself; otherwise a new
   * CRL signed now, numbered above both, valid as long as {@code wanted}. A {@code current} the CA
   * did not sign contributes nothing.
   */
  public static X509CRL merge(
      CertificateAuthority ca, X509CRL wanted, Optional<X509CRL> current, Instant now) {
    Optional<X509CRL> ours = current.filter(c -> signedBy(ca, c));
    if (ours.isEmpty()
        || entries(ours.get()).stream().allMatch(e -> lists(wanted, e.serialNumber()))) {
      return wanted;
    }
    X509CRL newer = higherNumber(wanted, ours.get());
    X509CRL older = newer == wanted ? ours.get() : wanted;
    Duration validity =
        Duration.between(wanted.getThisUpdate().toInstant(), wanted.getNextUpdate().toInstant());
    return sign(ca, Optional.of(newer), entries(older), now, validity);
  }

  private static X509CRL higherNumber(X509CRL a, X509CRL b) {
    Optional<BigInteger> na = Crls.numberOf(a);
    Optional<BigInteger> nb = Crls.numberOf(b);
    if (na.isEmpty() || nb.isEmpty()) {
      return na.isPresent() ? a : b;
    }
    return na.get().compareTo(nb.get()) >= 0 ? a : b;
  }
}
