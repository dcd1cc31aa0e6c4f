package io.vpngateway.gateway.auth.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PkixCertificateAuthenticatorTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static CertificateAuthority gatewayCa;
  private static CertificateAuthority otherCa;
  private static IssuedCertificate alice;
  private static IssuedCertificate bob;

  @BeforeAll
  static void pki() {
    gatewayCa = CertificateAuthority.create("gw1", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
    otherCa =
        CertificateAuthority.create("elsewhere", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
    alice = client(gatewayCa, "alice", Duration.ofDays(30), "eng", "ops");
    bob = client(gatewayCa, "bob", Duration.ofDays(30));
  }

  private static IssuedCertificate client(
      CertificateAuthority ca, String cn, Duration validity, String... groups) {
    return ca.issueClientCertificate(
        ClientCertificateRequest.of(cn, List.of(groups), validity, KeySpec.EC_P256),
        NOW.minus(Duration.ofHours(1)));
  }

  private static X509Certificate[] chain(IssuedCertificate c) {
    return new X509Certificate[] {c.certificate()};
  }

  private static TrustSnapshot trust(List<X509CRL> crls, List<String> thumbprints) {
    return TrustSnapshot.of(List.of(gatewayCa.certificate()), crls, thumbprints);
  }

  private static String reason(PkixCertificateAuthenticator auth, X509Certificate... chain) {
    return assertThrows(AuthenticationException.class, () -> auth.authenticate(chain)).reason().code();
  }

  @Test
  void goodChainGivesNameGroupsAndThumbprint() throws Exception {
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    ClientIdentity id = auth.authenticate(chain(alice));
    assertEquals("alice", id.name());
    assertEquals(List.of("eng", "ops"), id.groups());
    assertEquals(AuthMethod.CERTIFICATE, id.method());
    assertEquals(alice.sha256Thumbprint(), id.certificateSha256());
    // a chain that carries its root too is fine
    auth.authenticate(new X509Certificate[] {bob.certificate(), gatewayCa.certificate()});
  }

  @Test
  void aReconnectingChainSkipsPathValidationUntilTheAnchorsChange() throws Exception {
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    assertEquals("alice", auth.authenticate(chain(alice)).name());
    assertEquals("alice", auth.authenticate(chain(alice)).name());
    assertEquals(1, auth.pathValidations(), "the second handshake of the same chain");
    assertEquals("bob", auth.authenticate(chain(bob)).name());
    assertEquals(2, auth.pathValidations(), "another chain is validated");
    // a new snapshot revoking alice: refused at once (CRLs are checked at every call); bob's
    // path, validated against the same anchors, is still remembered
    X509CRL crl =
        gatewayCa.issueCrl(
            List.of(new RevokedCertificate(alice.certificate().getSerialNumber(), NOW)),
            BigInteger.ONE,
            NOW.minus(Duration.ofMinutes(1)),
            NOW.plus(Duration.ofDays(7)));
    auth.update(trust(List.of(crl), List.of()));
    assertEquals("CertificateRevoked", reason(auth, alice.certificate()));
    auth.authenticate(chain(bob));
    assertEquals(2, auth.pathValidations());
    auth.update(trust(List.of(), List.of(alice.sha256Thumbprint())));
    assertEquals("CertificateRevoked", reason(auth, alice.certificate()));
    // other anchors: nothing remembered
    CertificateAuthority corp = CertificateAuthority.create("corp", KeySpec.EC_P256, NOW);
    auth.update(TrustSnapshot.of(List.of(gatewayCa.certificate(), corp.certificate()), List.of(),
        List.of()));
    auth.authenticate(chain(bob));
    assertEquals(3, auth.pathValidations(), "bob's path is validated again under new anchors");
  }

  @Test
  void aRememberedChainIsStillCheckedForExpiry() throws Exception {
    IssuedCertificate shortLived = client(gatewayCa, "temp", Duration.ofDays(1));
    Instant[] now = {NOW};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), moving);
    auth.authenticate(chain(shortLived));
    now[0] = NOW.plus(Duration.ofDays(3));
    assertEquals("CertificateExpired", reason(auth, shortLived.certificate()));
  }

  @Test
  void certificateFromAnotherCaIsUntrusted() {
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    IssuedCertificate mallory = client(otherCa, "mallory", Duration.ofDays(30));
    assertEquals("UntrustedIssuer", reason(auth, mallory.certificate()));
  }

  @Test
  void trustedRootsAreAccepted() throws Exception {
    IssuedCertificate partner = client(otherCa, "partner", Duration.ofDays(30), "partners");
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(
                List.of(gatewayCa.certificate(), otherCa.certificate()), List.of(), List.of()),
            CLOCK);
    assertEquals(List.of("partners"), auth.authenticate(chain(partner)).groups());
  }

  @Test
  void expiredAndNotYetValidCertificatesAreRefused() {
    IssuedCertificate shortLived = client(gatewayCa, "temp", Duration.ofDays(1));
    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(3)), ZoneOffset.UTC);
    Clock earlier = Clock.fixed(NOW.minus(Duration.ofDays(2)), ZoneOffset.UTC);
    assertEquals(
        "CertificateExpired",
        reason(
            new PkixCertificateAuthenticator(trust(List.of(), List.of()), later),
            shortLived.certificate()));
    assertEquals(
        "CertificateNotYetValid",
        reason(
            new PkixCertificateAuthenticator(trust(List.of(), List.of()), earlier),
            shortLived.certificate()));
  }

  @Test
  void revokedByCrl() throws Exception {
    X509CRL crl =
        gatewayCa.issueCrl(
            List.of(new RevokedCertificate(alice.certificate().getSerialNumber(), NOW)),
            BigInteger.ONE,
            NOW.minus(Duration.ofMinutes(1)),
            NOW.plus(Duration.ofDays(7)));
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(crl), List.of()), CLOCK);
    assertEquals("CertificateRevoked", reason(auth, alice.certificate()));
    assertEquals("bob", auth.authenticate(chain(bob)).name(), "others unaffected");
    // a stale CRL still revokes
    PkixCertificateAuthenticator later =
        new PkixCertificateAuthenticator(
            trust(List.of(crl), List.of()),
            Clock.fixed(NOW.plus(Duration.ofDays(20)), ZoneOffset.UTC));
    assertEquals("CertificateRevoked", reason(later, alice.certificate()));
  }

  @Test
  void revokedByThumbprintInEitherHashAndNotation() throws Exception {
    String sha1WithColons = alice.sha1Thumbprint().replaceAll("(..)(?!$)", "$1:").toLowerCase();
    PkixCertificateAuthenticator bySha1 =
        new PkixCertificateAuthenticator(trust(List.of(), List.of(sha1WithColons)), CLOCK);
    assertEquals("CertificateRevoked", reason(bySha1, alice.certificate()));
    PkixCertificateAuthenticator bySha256 =
        new PkixCertificateAuthenticator(
            trust(List.of(), List.of(alice.sha256Thumbprint())), CLOCK);
    assertEquals("CertificateRevoked", reason(bySha256, alice.certificate()));
    bySha256.authenticate(chain(bob));
  }

  @Test
  void certificateWithoutClientAuthEkuIsRefused() {
    IssuedCertificate server =
        gatewayCa.issueServerCertificate(
            new ServerCertificateRequest(
                "vpn.example.com",
                List.of("vpn.example.com"),
                List.of(),
                KeySpec.EC_P256,
                Duration.ofDays(30)),
            NOW.minus(Duration.ofHours(1)));
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    assertEquals("MissingClientAuthEku", reason(auth, server.certificate()));
  }

  @Test
  void noCertificateAndCaOnlyChainsAreRefused() {
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    assertEquals("NoClientCertificate", reason(auth));
    assertEquals("MissingClientAuthEku", reason(auth, gatewayCa.certificate()));
  }

  @Test
  void enterpriseChainThroughAnIntermediateWithItsOwnCrl() throws Exception {
    IntermediatePki corp = new IntermediatePki(NOW);
    X509Certificate carol = corp.client("CN=carol,OU=finance,OU=vpn-users,O=Corp");
    X509Certificate dave = corp.client("CN=dave,O=Corp");
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(
                List.of(gatewayCa.certificate(), corp.root),
                List.of(corp.intermediateCrl(dave)),
                List.of()),
            CLOCK);

    ClientIdentity id = auth.authenticate(new X509Certificate[] {carol, corp.intermediate});
    assertEquals("carol", id.name());
    assertEquals(List.of("finance", "vpn-users"), id.groups());
    assertEquals("CertificateRevoked", reason(auth, dave, corp.intermediate));
    // without the intermediate the path cannot be built
    assertEquals("UntrustedIssuer", reason(auth, carol));
    // a CRL with the intermediate's name but another signer revokes nothing
    IntermediatePki lookalike = new IntermediatePki(NOW);
    PkixCertificateAuthenticator fooled =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(
                List.of(corp.root), List.of(lookalike.intermediateCrl(carol)), List.of()),
            CLOCK);
    assertEquals(
        "carol", fooled.authenticate(new X509Certificate[] {carol, corp.intermediate}).name());
  }

  @Test
  void groupsOfAnotherRootSelectNoPoolUnlessThatRootIsTrustedForGroups() throws Exception {
    IntermediatePki corp = new IntermediatePki(NOW);
    X509Certificate carol = corp.client("CN=carol,OU=admins,O=Corp");
    X509Certificate[] carolChain = {carol, corp.intermediate};
    List<X509Certificate> anchors = List.of(gatewayCa.certificate(), corp.root);

    PkixCertificateAuthenticator ownCaOnly =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(anchors, List.of(), List.of(), List.of(gatewayCa.certificate())),
            CLOCK);
    ClientIdentity outsider = ownCaOnly.authenticate(carolChain);
    assertEquals("carol", outsider.name(), "still authenticated");
    assertEquals(List.of(), outsider.groups(), "but its OU claims no pool");
    assertEquals(corp.root.getSubjectX500Principal().getName(), outsider.source());
    assertEquals(List.of("eng", "ops"), ownCaOnly.authenticate(chain(alice)).groups());

    PkixCertificateAuthenticator trusted =
        new PkixCertificateAuthenticator(
            TrustSnapshot.of(anchors, List.of(), List.of(), anchors), CLOCK);
    assertEquals(List.of("admins"), trusted.authenticate(carolChain).groups());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TrustSnapshot.of(
                List.of(gatewayCa.certificate()), List.of(), List.of(), List.of(corp.root)));
  }

  @Test
  void snapshotSwapAppliesToTheNextHandshake() throws Exception {
    PkixCertificateAuthenticator auth =
        new PkixCertificateAuthenticator(trust(List.of(), List.of()), CLOCK);
    auth.authenticate(chain(alice));
    auth.update(trust(List.of(), List.of(alice.sha256Thumbprint())));
    assertEquals("CertificateRevoked", reason(auth, alice.certificate()));
    auth.update(TrustSnapshot.of(List.of(otherCa.certificate()), List.of(), List.of()));
    assertEquals("UntrustedIssuer", reason(auth, bob.certificate()));
    auth.update(trust(List.of(), List.of()));
    auth.authenticate(chain(alice));
  }

  @Test
  void snapshotRejectsBadInputWithAClearMessage() {
    // same name as the gateway CA, other key: an impostor's CRL
    CertificateAuthority impostor = CertificateAuthority.create("gw1", KeySpec.EC_P256, NOW);
    X509CRL forged =
        impostor.issueCrl(List.of(), BigInteger.ONE, NOW, NOW.plus(Duration.ofDays(1)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> trust(List.of(forged), List.of()));
    assertTrue(
        e.getMessage().contains("does not verify with that trusted root's key"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> trust(List.of(), List.of("abc")));
    assertTrue(e.getMessage().contains("not a SHA-1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrustSnapshot.of(List.of(alice.certificate()), List.of(), List.of()));
    assertTrue(e.getMessage().contains("not a CA certificate"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> TrustSnapshot.of(List.of(), List.of(), List.of()));
  }
}
