package io.vpngateway.operator.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Crls;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.operator.support.MockServerSetup;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The CRL dependent's re-signing (computed from a possibly stale informer copy) against a
 * revocation written in between: the revocation must survive in every interleaving.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = MockServerSetup.class)
class CrlSecretUpdatesTest {
  static final String NS = TestGateways.NAMESPACE;
  static final Instant NOW = Instant.now();
  static final CertificateAuthority CA =
      CertificateAuthority.create("crl-race", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final BigInteger REVOKED = BigInteger.valueOf(0x4242);

  @Inject KubernetesClient client;

  @Test
  void aRevocationBetweenTheReadAndTheWriteOfARenewalIsKept() {
    String name = "race-crl";
    client.resource(crlSecret(name, initialCrl(), "server-key")).create();
    // what the dependent computed from its cache: the same CRL, re-signed because it is due
    Secret stale = client.secrets().inNamespace(NS).withName(name).get();
    Secret desired = renewedFrom(stale);

    AtomicInteger rounds = new AtomicInteger();
    Secret written =
        CrlSecretUpdates.update(
            client,
            NS,
            name,
            current -> {
              if (rounds.getAndIncrement() == 0) {
                revokeBehindTheDependentsBack(name, REVOKED);
              }
              return VpnGatewayCrlSecretDependentResource.merged(current, desired, CA, NOW);
            });

    assertEquals(2, rounds.get(), "the first write conflicted and was redone from a fresh read");
    X509CRL crl = crlOf(written);
    assertTrue(RevocationList.lists(crl, REVOKED), "the revocation survived the re-signing");
    assertTrue(RevocationList.signedBy(CA, crl));
    assertEquals(crl, crlOf(client.secrets().inNamespace(NS).withName(name).get()));
  }

  @Test
  void theOperatorReSignsADueCrlKeepingItsEntries() {
    String gateway = "gw-crl-renew";
    client.resource(TestGateways.openVpn(gateway, 1)).create();
    await()
        .atMost(TIMEOUT)
        .until(() -> secret(gateway + "-crl") != null && secret(gateway + "-ca") != null);
    Secret caSecret = secret(gateway + "-ca");
    CertificateAuthority ca =
        CertificateAuthority.fromPem(
            SecretData.get(caSecret, ConfigFiles.TLS_CERT_KEY).orElseThrow(),
            SecretData.get(caSecret, ConfigFiles.TLS_KEY_KEY).orElseThrow());
    // a CRL with an entry, due for re-signing (nextUpdate in 1 h, renewBefore is 48 h)
    Instant now = Instant.now();
    X509CRL due =
        RevocationList.sign(
            ca,
            Optional.of(crlOf(secret(gateway + "-crl"))),
            List.of(new RevokedCertificate(REVOKED, now)),
            now,
            Duration.ofHours(1));
    client
        .secrets()
        .inNamespace(NS)
        .withName(gateway + "-crl")
        .edit(
            s -> {
              s.getData().put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(due)));
              return s;
            });

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                crlOf(secret(gateway + "-crl"))
                    .getNextUpdate()
                    .toInstant()
                    .isAfter(now.plus(Duration.ofHours(100))));
    X509CRL renewed = crlOf(secret(gateway + "-crl"));
    assertTrue(RevocationList.lists(renewed, REVOKED), "the re-signed CRL keeps the entry");
    assertTrue(
        Crls.numberOf(renewed).orElseThrow().compareTo(Crls.numberOf(due).orElseThrow()) > 0);
  }

  @Test
  void mergeCarriesEveryEntryOfTheCurrentCrlIntoTheRenewedOne() {
    X509CRL base = initialCrl();
    X509CRL revokedSince =
        RevocationList.sign(
            CA,
            Optional.of(base),
            List.of(new RevokedCertificate(REVOKED, NOW)),
            NOW,
            Duration.ofDays(7));
    X509CRL renewedFromStale =
        RevocationList.sign(CA, Optional.of(base), List.of(), NOW, Duration.ofDays(7));

    X509CRL merged = RevocationList.merge(CA, renewedFromStale, Optional.of(revokedSince), NOW);

    assertTrue(RevocationList.lists(merged, REVOKED));
    BigInteger number = Crls.numberOf(merged).orElseThrow();
    assertTrue(number.compareTo(Crls.numberOf(revokedSince).orElseThrow()) > 0);
    assertTrue(number.compareTo(Crls.numberOf(renewedFromStale).orElseThrow()) > 0);
    // nothing missing: the wanted CRL as it is, and an unchanged Secret needs no write
    assertEquals(revokedSince, RevocationList.merge(CA, revokedSince, Optional.of(base), NOW));
    Secret same = crlSecret("same", revokedSince, "server-key");
    assertNull(
        VpnGatewayCrlSecretDependentResource.merged(
            crlSecret("same", revokedSince, "server-key"), same, CA, NOW));
  }

  @Test
  void theTlsCryptV2ServerKeyAlreadyThereIsKept() {
    Secret current = crlSecret("k", initialCrl(), "made-first");
    Secret merged =
        VpnGatewayCrlSecretDependentResource.merged(
            current, renewedFrom(crlSecret("k", initialCrl(), "made-again")), CA, NOW);
    assertEquals(
        "made-first",
        SecretData.get(merged, ConfigFiles.TLS_CRYPT_V2_SERVER_KEY).orElseThrow(),
        "the key every client profile wraps is never replaced");
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  /** What the ClientCertificate reconciler does concurrently: a conditional write of one entry. */
  private void revokeBehindTheDependentsBack(String name, BigInteger serial) {
    Secret current = client.secrets().inNamespace(NS).withName(name).get();
    X509CRL signed =
        RevocationList.sign(
            CA,
            Optional.of(crlOf(current)),
            List.of(new RevokedCertificate(serial, NOW)),
            NOW,
            Duration.ofDays(7));
    current.getData().put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(signed)));
    client.secrets().inNamespace(NS).resource(current).update();
  }

  private static Secret renewedFrom(Secret stale) {
    X509CRL renewed =
        RevocationList.sign(CA, Optional.of(crlOf(stale)), List.of(), NOW, Duration.ofDays(7));
    return crlSecret(
        stale.getMetadata().getName(),
        renewed,
        SecretData.get(stale, ConfigFiles.TLS_CRYPT_V2_SERVER_KEY).orElseThrow());
  }

  private static X509CRL initialCrl() {
    return RevocationList.sign(
        CA, Optional.empty(), List.of(), NOW.minus(Duration.ofHours(1)), Duration.ofHours(2));
  }

  private static X509CRL crlOf(Secret secret) {
    return Pem.decodeCrl(SecretData.get(secret, ConfigFiles.CRL_KEY).orElseThrow());
  }

  private static Secret crlSecret(String name, X509CRL crl, String serverKey) {
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NS)
                .withLabels(Map.of("app.kubernetes.io/component", "crl"))
                .build())
        .withType("Opaque")
        .withData(
            SecretData.encode(
                Map.of(
                    ConfigFiles.CRL_KEY,
                    Pem.encode(crl),
                    ConfigFiles.TLS_CRYPT_V2_SERVER_KEY,
                    serverKey)))
        .build();
  }
}
