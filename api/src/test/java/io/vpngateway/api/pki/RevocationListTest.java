package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CRL lifecycle the operator and {@code vpngw} standalone share. */
class RevocationListTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw1", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
  private static final CertificateAuthority OTHER =
      CertificateAuthority.create("gw2", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
  private static final Duration VALIDITY = Duration.ofDays(7);
  private static final Duration RENEW_BEFORE = Duration.ofDays(2);
  private static final BigInteger A = BigInteger.valueOf(0xA);
  private static final BigInteger B = BigInteger.valueOf(0xB);

  @Test
  void aUsableCrlIsKeptAsIsAndADueOneIsReSignedWithItsEntries() {
    X509CRL withA = RevocationList.revoke(CA, Optional.empty(), List.of(A), NOW, VALIDITY).get();

    assertSame(withA, RevocationList.current(CA, Optional.of(withA), NOW, VALIDITY, RENEW_BEFORE));

    Instant due = NOW.plus(VALIDITY).minus(RENEW_BEFORE).plusSeconds(1);
    X509CRL renewed = RevocationList.current(CA, Optional.of(withA), due, VALIDITY, RENEW_BEFORE);
    assertNotSame(withA, renewed);
    assertTrue(RevocationList.lists(renewed, A), "re-signing keeps every entry");
    assertTrue(RevocationList.usable(CA, renewed, due, RENEW_BEFORE));
    assertTrue(number(renewed).compareTo(number(withA)) > 0, "the CRL number goes up");
    assertEquals(
        due.plus(VALIDITY).minus(RENEW_BEFORE), RevocationList.renewalTime(renewed, RENEW_BEFORE));
  }

  @Test
  void aCrlOfAnotherCaIsNeverExtended() {
    X509CRL foreign =
        RevocationList.revoke(OTHER, Optional.empty(), List.of(A), NOW, VALIDITY).get();

    X509CRL current = RevocationList.current(CA, Optional.of(foreign), NOW, VALIDITY, RENEW_BEFORE);
    assertTrue(RevocationList.signedBy(CA, current));
    assertTrue(RevocationList.entries(current).isEmpty(), "nothing carried over from gw2's CRL");

    X509CRL revoked =
        RevocationList.revoke(CA, Optional.of(foreign), List.of(B), NOW, VALIDITY).orElseThrow();
    assertEquals(
        List.of(B),
        RevocationList.entries(revoked).stream().map(RevokedCertificate::serialNumber).toList());
  }

  @Test
  void revokingAddsOnlyWhatIsMissingInOneCrl() {
    X509CRL withA = RevocationList.revoke(CA, Optional.empty(), List.of(A), NOW, VALIDITY).get();

    assertTrue(
        RevocationList.revoke(CA, Optional.of(withA), List.of(A), NOW, VALIDITY).isEmpty(),
        "nothing new: nothing to write");
    Instant later = NOW.plusSeconds(60);
    X509CRL both =
        RevocationList.revoke(CA, Optional.of(withA), List.of(A, B, B), later, VALIDITY)
            .orElseThrow();
    assertEquals(2, RevocationList.entries(both).size());
    assertEquals(
        NOW,
        both.getRevokedCertificate(A).getRevocationDate().toInstant(),
        "an earlier entry keeps its revocation date");
    assertEquals(later, both.getRevokedCertificate(B).getRevocationDate().toInstant());
  }

  @Test
  void mergeCarriesEveryEntryOfTheStoredCrlIntoOneSignedFromAStaleCopy() {
    X509CRL base = RevocationList.sign(CA, Optional.empty(), List.of(), NOW, VALIDITY);
    X509CRL revokedSince =
        RevocationList.revoke(CA, Optional.of(base), List.of(A), NOW, VALIDITY).orElseThrow();
    X509CRL renewedFromStale = RevocationList.sign(CA, Optional.of(base), List.of(), NOW, VALIDITY);

    X509CRL merged = RevocationList.merge(CA, renewedFromStale, Optional.of(revokedSince), NOW);

    assertTrue(RevocationList.lists(merged, A));
    assertTrue(number(merged).compareTo(number(revokedSince)) > 0);
    assertTrue(number(merged).compareTo(number(renewedFromStale)) > 0);
    assertSame(revokedSince, RevocationList.merge(CA, revokedSince, Optional.of(base), NOW));
    X509CRL foreign =
        RevocationList.revoke(OTHER, Optional.empty(), List.of(B), NOW, VALIDITY).get();
    assertSame(base, RevocationList.merge(CA, base, Optional.of(foreign), NOW));
  }

  private static BigInteger number(X509CRL crl) {
    return Crls.numberOf(crl).orElseThrow();
  }
}
