package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw1", KeySpec.EC_P256, NOW);

  @Test
  void caCertificateHasTheCaProfile() {
    X509Certificate ca = CA.certificate();
    assertEquals("CN=gw1 VPN CA", ca.getSubjectX500Principal().getName());
    assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
    assertEquals(0, ca.getBasicConstraints(), "CA:TRUE with pathlen 0");
    assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
    boolean[] usage = ca.getKeyUsage();
    assertTrue(usage[5] && usage[6], "keyCertSign and cRLSign");
    assertFalse(usage[0], "no digitalSignature on the CA");
    assertTrue(
        ca.getExtensionValue("2.5.29.14") != null && ca.getExtensionValue("2.5.29.35") != null);
    assertEquals(
        Duration.ofDays(3650).plus(CertificateAuthority.BACKDATE),
        Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()));
    assertEquals("SHA256withECDSA", ca.getSigAlgName());
    assertEquals(KeySpec.EC_P256, CA.keySpec());
  }

  @Test
  void serverCertificateCarriesSansAndBothServerPurposes() throws Exception {
    IssuedCertificate server =
        CA.issueServerCertificate(
            new ServerCertificateRequest(
                "vpn.example.com",
                List.of("vpn.example.com", "*.vpn.example.com"),
                List.of("192.0.2.10", "2001:db8::1"),
                KeySpec.EC_P256,
                Duration.ofDays(90)),
            NOW);
    X509Certificate cert = server.certificate();
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.8.2.2"), cert.getExtendedKeyUsage());
    List<String> sans =
        cert.getSubjectAlternativeNames().stream().map(l -> l.get(0) + ":" + l.get(1)).toList();
    assertEquals(
        List.of(
            "2:vpn.example.com", "2:*.vpn.example.com", "7:192.0.2.10", "7:2001:db8:0:0:0:0:0:1"),
        sans);
    assertEquals(-1, cert.getBasicConstraints());
    assertTrue(cert.getKeyUsage()[0], "digitalSignature");
    assertFalse(cert.getKeyUsage()[2], "no keyEncipherment for an EC key");
    assertTrue(CA.signed(cert));
    assertEquals(NOW.plus(Duration.ofDays(90)), server.notAfter());
  }

  @Test
  void badServerRequestsAreRejectedWithTheOffendingValue() {
    var noNames =
        assertThrows(
            PkiException.class,
            () ->
                new ServerCertificateRequest(
                    "x", List.of(), List.of(), KeySpec.EC_P256, Duration.ofDays(1)));
    assertTrue(noNames.getMessage().contains("at least one DNS name"));
    var badDns =
        assertThrows(
            PkiException.class,
            () ->
                new ServerCertificateRequest(
                    "x", List.of("bad name"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)));
    assertTrue(badDns.getMessage().contains("'bad name'"));
    var badIp =
        assertThrows(
            PkiException.class,
            () ->
                new ServerCertificateRequest(
                    "x", List.of(), List.of("300.1.1.1"), KeySpec.EC_P256, Duration.ofDays(1)));
    assertTrue(badIp.getMessage().contains("300.1.1.1"));
    assertThrows(
        PkiException.class,
        () ->
            new ServerCertificateRequest(
                "x", List.of("a.b"), List.of(), KeySpec.EC_P256, Duration.ZERO));
    assertThrows(PkiException.class, () -> new KeySpec(KeyAlgorithm.RSA, 1024));
    assertThrows(PkiException.class, () -> new KeySpec(KeyAlgorithm.ECDSA, 521));
  }

  @Test
  void clientCertificateCarriesIdentityGroupsAndClientAuth() throws Exception {
    List<String> groups = List.of("engineering", "ops, on-call", "a+b=c", "Zürich", "ops, on-call");
    IssuedCertificate client =
        CA.issueClientCertificate(
            ClientCertificateRequest.of(
                "alice@example.com", groups, Duration.ofDays(30), KeySpec.EC_P384),
            NOW);
    X509Certificate cert = client.certificate();
    assertEquals(
        List.of("engineering", "ops, on-call", "a+b=c", "Zürich"),
        ClientCertificates.groupsOf(cert));
    assertEquals("alice@example.com", ClientCertificates.commonNameOf(cert).orElseThrow());
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
    assertEquals(
        "1:alice@example.com",
        cert.getSubjectAlternativeNames().iterator().next().get(0)
            + ":"
            + cert.getSubjectAlternativeNames().iterator().next().get(1));
    assertEquals(
        "CN=alice@example.com,OU=Zürich,OU=a\\+b\\=c,OU=ops\\, on-call,OU=engineering",
        cert.getSubjectX500Principal().getName());
    assertEquals(KeySpec.EC_P384, KeySpec.of(cert.getPublicKey()));
    BigInteger serial = cert.getSerialNumber();
    assertTrue(serial.signum() > 0 && serial.bitLength() <= 128);
    assertEquals(NOW.minus(CertificateAuthority.BACKDATE), client.notBefore());
  }

  @Test
  void clientWithoutGroupsHasNoOuAndAPlainNameHasNoSan() throws Exception {
    X509Certificate cert =
        CA.issueClientCertificate(
                ClientCertificateRequest.of("bob", null, Duration.ofDays(1), KeySpec.EC_P256), NOW)
            .certificate();
    assertEquals(List.of(), ClientCertificates.groupsOf(cert));
    assertEquals(null, cert.getSubjectAlternativeNames());
  }

  @Test
  void validityIsClampedToTheCaNotAfter() {
    CertificateAuthority shortCa =
        CertificateAuthority.create("short", KeySpec.EC_P256, NOW, Duration.ofDays(10));
    IssuedCertificate client =
        shortCa.issueClientCertificate(
            ClientCertificateRequest.of("c", List.of(), Duration.ofDays(365), KeySpec.EC_P256),
            NOW);
    assertEquals(shortCa.certificate().getNotAfter().toInstant(), client.notAfter());
    var expired =
        assertThrows(
            PkiException.class,
            () ->
                shortCa.issueClientCertificate(
                    ClientCertificateRequest.of(
                        "c", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
                    NOW.plus(Duration.ofDays(11))));
    assertTrue(expired.getMessage().contains("has expired"));
  }

  @Test
  void rotationPolicyNeverReusesThePreviousKeyAndAlwaysReplacesIt() {
    var request =
        ClientCertificateRequest.of("carol", List.of("eng"), Duration.ofDays(30), KeySpec.EC_P256);
    IssuedCertificate first = CA.issueClientCertificate(request, NOW);
    // The key as the operator would read it back from the Secret's tls.key.
    var storedKey = Pem.decodePrivateKey(first.privateKeyPem());

    IssuedCertificate kept =
        CA.issueClientCertificate(request.withPreviousKey(RotationPolicy.NEVER, storedKey), NOW);
    assertArrayEquals(
        first.certificate().getPublicKey().getEncoded(),
        kept.certificate().getPublicKey().getEncoded());
    assertNotEquals(first.certificate().getSerialNumber(), kept.certificate().getSerialNumber());

    IssuedCertificate rotated =
        CA.issueClientCertificate(request.withPreviousKey(RotationPolicy.ALWAYS, storedKey), NOW);
    assertFalse(
        java.util.Arrays.equals(
            first.certificate().getPublicKey().getEncoded(),
            rotated.certificate().getPublicKey().getEncoded()));

    var wrongSpec =
        ClientCertificateRequest.of("carol", List.of(), Duration.ofDays(30), KeySpec.EC_P384)
            .withPreviousKey(RotationPolicy.NEVER, storedKey);
    var error = assertThrows(PkiException.class, () -> CA.issueClientCertificate(wrongSpec, NOW));
    assertTrue(
        error.getMessage().contains("ECDSA P-256") && error.getMessage().contains("ECDSA P-384"));
  }

  @Test
  void renewalKeepsTheCaAndTheNeedsRenewalHelperFollowsRenewBefore() {
    var serverRequest =
        new ServerCertificateRequest(
            "gw", List.of("gw.example.com"), List.of(), KeySpec.EC_P256, Duration.ofDays(90));
    IssuedCertificate server = CA.issueServerCertificate(serverRequest, NOW);
    Duration renewBefore = Duration.ofDays(30);
    assertFalse(server.needsRenewal(NOW.plus(Duration.ofDays(59)), renewBefore));
    assertTrue(server.needsRenewal(NOW.plus(Duration.ofDays(60)), renewBefore));
    assertEquals(NOW.plus(Duration.ofDays(60)), server.renewalTime(renewBefore));
    // No renewBefore, or one longer than the lifetime: a third of the lifetime ahead.
    Duration lifetime = Duration.ofDays(90).plus(CertificateAuthority.BACKDATE);
    assertEquals(server.notAfter().minus(lifetime.dividedBy(3)), server.renewalTime(null));
    assertEquals(
        server.notAfter().minus(lifetime.dividedBy(3)), server.renewalTime(Duration.ofDays(400)));

    // Renewal with the CA reloaded from its stored PEM, as after an operator restart.
    CertificateAuthority reloaded =
        CertificateAuthority.fromPem(CA.certificatePem(), CA.privateKeyPem());
    Instant later = NOW.plus(Duration.ofDays(60));
    IssuedCertificate renewed = reloaded.issueServerCertificate(serverRequest, later);
    assertTrue(CA.signed(renewed.certificate()));
    assertEquals(server.caCertificate(), renewed.caCertificate());
    assertEquals(later.plus(Duration.ofDays(90)), renewed.notAfter());
    IssuedCertificate renewedClient =
        reloaded.issueClientCertificate(
            ClientCertificateRequest.of("dave", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
            later);
    assertTrue(CA.signed(renewedClient.certificate()));
  }

  @Test
  void loadingRefusesAMismatchedKeyOrANonCaCertificate() {
    CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256, NOW);
    var mismatch =
        assertThrows(
            PkiException.class,
            () -> CertificateAuthority.fromPem(CA.certificatePem(), other.privateKeyPem()));
    assertTrue(mismatch.getMessage().contains("does not belong"));

    IssuedCertificate leaf =
        CA.issueClientCertificate(
            ClientCertificateRequest.of("eve", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
            NOW);
    var notCa =
        assertThrows(
            PkiException.class,
            () -> CertificateAuthority.fromPem(leaf.certificatePem(), leaf.privateKeyPem()));
    assertTrue(notCa.getMessage().contains("is not a CA"));

    assertThrows(
        PkiException.class, () -> CertificateAuthority.fromPem("garbage", CA.privateKeyPem()));
    assertThrows(PkiException.class, () -> CertificateAuthority.fromPem(CA.certificatePem(), ""));
  }

  @Test
  void crlListsRevokedSerialsAndNumbersIncrease() {
    Instant revokedAt = NOW.minus(Duration.ofHours(1));
    BigInteger serial = new BigInteger("1234567890abcdef", 16);
    BigInteger first = Crls.nextNumber(java.util.Optional.empty(), NOW);
    var crl =
        CA.issueCrl(
            List.of(new RevokedCertificate(serial, revokedAt)),
            first,
            NOW,
            NOW.plus(Duration.ofDays(7)));
    assertEquals(BigInteger.valueOf(NOW.getEpochSecond()), Crls.numberOf(crl).orElseThrow());
    assertEquals(revokedAt, crl.getRevokedCertificate(serial).getRevocationDate().toInstant());
    assertEquals(NOW.plus(Duration.ofDays(7)), crl.getNextUpdate().toInstant());
    assertEquals(CA.certificate().getSubjectX500Principal(), crl.getIssuerX500Principal());
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(
        () -> crl.verify(CA.certificate().getPublicKey()));

    // Same second again: still increases. Previous lost: the time floor keeps it ahead.
    BigInteger second = Crls.nextNumber(java.util.Optional.of(crl), NOW);
    assertEquals(first.add(BigInteger.ONE), second);
    assertTrue(
        Crls.nextNumber(java.util.Optional.empty(), NOW.plusSeconds(5)).compareTo(first) > 0);
    var roundTrip = Pem.decodeCrl(Pem.encode(crl));
    assertEquals(crl, roundTrip);
    assertThrows(PkiException.class, () -> CA.issueCrl(List.of(), second, NOW, NOW));
  }

  @Test
  void issuingFromManyThreadsGivesDistinctValidCertificates() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<IssuedCertificate>> futures = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String name = "user" + i;
        futures.add(
            pool.submit(
                () ->
                    CA.issueClientCertificate(
                        ClientCertificateRequest.of(
                            name, List.of("g"), Duration.ofDays(1), KeySpec.EC_P256),
                        NOW)));
      }
      Set<BigInteger> serials = ConcurrentHashMap.newKeySet();
      Set<String> names = new HashSet<>();
      for (var future : futures) {
        X509Certificate cert = future.get().certificate();
        assertTrue(CA.signed(cert));
        serials.add(cert.getSerialNumber());
        names.add(ClientCertificates.commonNameOf(cert).orElseThrow());
      }
      assertEquals(40, serials.size());
      assertEquals(40, names.size());
    } finally {
      pool.shutdownNow();
    }
  }
}
