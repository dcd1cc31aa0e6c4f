package io.vpngateway.operator.gateway;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Crls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevokedCertificate;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A gateway's CRL (RFC 5280 §5), kept in its CRL Secret. The signed CRL itself is the record of
 * revocations: entries are only ever added (a deleted ClientCertificate leaves no other trace), and
 * a re-signed CRL carries every entry of the previous one with a higher CRL number.
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

  /** The entries of {@code crl}. */
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

  /** When a CRL must be re-signed. */
  public static Instant renewalTime(X509CRL crl, Duration renewBefore) {
    return crl.getNextUpdate().toInstant().minus(renewBefore);
  }
}
