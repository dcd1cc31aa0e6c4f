package io.vpngateway.operator.clientcert;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.ClientCertificateStatus;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.GatewayRef;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.spec.SecretTemplate;
import io.vpngateway.api.v1alpha1.spec.ServerCertificate;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.operator.support.MockServerSetup;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.StatusPatches;
import io.vpngateway.operator.support.TestGateways;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ClientCertificate issue, re-render, renew, revoke and delete against the mock API server. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = MockServerSetup.class)
class ClientCertificateOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String NS = TestGateways.NAMESPACE;
  static final String GATEWAY = "gw-cc";

  @Inject KubernetesClient client;

  @BeforeEach
  void gateway() {
    if (client.resources(VpnGateway.class).inNamespace(NS).withName(GATEWAY).get() != null) {
      return;
    }
    VpnGateway gw = TestGateways.openVpn(GATEWAY, 1);
    gw.getSpec().protocols = List.of(VpnProtocol.OpenVPN, VpnProtocol.IKEv2);
    gw.getSpec().serverCertificate = new ServerCertificate();
    gw.getSpec().serverCertificate.dnsNames = List.of("vpn.example.com");
    client.resource(gw).create();
    await().atMost(TIMEOUT).until(() -> secret(GATEWAY + "-crl") != null);
  }

  @Test
  void issuesProfilesReRendersOnGatewayChangeAndRevokes() throws Exception {
    long start = System.nanoTime();
    ClientCertificate alice = certificate("alice", "alice-vpn");
    alice.getSpec().groups = List.of("eng");
    alice.getSpec().secretTemplate = new SecretTemplate();
    alice.getSpec().secretTemplate.labels = Map.of("team", "a");
    client.resource(alice).create();
    await().atMost(TIMEOUT).until(() -> secret("alice-vpn") != null && ready("alice"));
    long issuedMs = (System.nanoTime() - start) / 1_000_000;

    Secret secret = secret("alice-vpn");
    for (String key :
        List.of(
            "tls.crt",
            "tls.key",
            "ca.crt",
            "keystore.p12",
            "keystore.p12.password",
            "client.ovpn",
            "swanctl.conf",
            "client.mobileconfig")) {
      assertTrue(secret.getData().containsKey(key), key);
    }
    assertEquals("a", secret.getMetadata().getLabels().get("team"));
    String ovpn = SecretData.get(secret, "client.ovpn").orElseThrow();
    assertTrue(ovpn.contains("vpn.example.com"), "endpoint in the profile");
    assertTrue(
        ovpn.contains("BEGIN OpenVPN tls-crypt-v2 client key"), "tls-crypt-v2 client key inline");
    X509Certificate cert = Pem.decodeCertificate(SecretData.get(secret, "tls.crt").orElseThrow());
    ClientCertificate status = get("alice");
    assertTrue(
        status.getStatus().thumbprint.matches("[0-9A-F]{40}"), status.getStatus().thumbprint);
    assertTrue(status.getStatus().sha256.matches("[0-9a-f]{64}"));
    assertEquals(cert.getSerialNumber(), new BigInteger(status.getStatus().serialNumber, 16));
    assertTrue(cert.getSubjectX500Principal().getName().contains("OU=eng"));

    // the gateway's endpoint changes: the profiles follow, the certificate stays
    client
        .resources(VpnGateway.class)
        .inNamespace(NS)
        .withName(GATEWAY)
        .edit(
            g -> {
              g.getSpec().serverCertificate.dnsNames = List.of("vpn2.example.com");
              return g;
            });
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                SecretData.get(secret("alice-vpn"), "client.ovpn")
                    .orElseThrow()
                    .contains("vpn2.example.com"));
    assertEquals(
        cert, Pem.decodeCertificate(SecretData.get(secret("alice-vpn"), "tls.crt").orElseThrow()));

    long revokeStart = System.nanoTime();
    editSpec("alice", c -> c.getSpec().revoked = true);
    await()
        .atMost(TIMEOUT)
        .until(() -> crl().getRevokedCertificate(cert.getSerialNumber()) != null);
    long revokedMs = (System.nanoTime() - revokeStart) / 1_000_000;
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Condition revoked = condition("alice", ConditionTypes.REVOKED);
              assertEquals(Condition.TRUE, revoked.status);
              assertEquals(
                  ConditionTypes.REASON_REVOKED, condition("alice", ConditionTypes.READY).reason);
            });
    // revoked: false again hands out a new certificate, never the revoked one
    editSpec("alice", c -> c.getSpec().revoked = false);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                ready("alice")
                    && !Pem.decodeCertificate(
                            SecretData.get(secret("alice-vpn"), "tls.crt").orElseThrow())
                        .getSerialNumber()
                        .equals(cert.getSerialNumber()));
    System.out.printf(
        "TIMING ClientCertificate create -> Secret+Ready: %d ms; revoked -> CRL lists it: %d ms%n",
        issuedMs, revokedMs);
  }

  @Test
  void renewsAtRenewalTimeKeepingTheKeyWhenRotationIsNever() {
    ClientCertificate bob = certificate("bob", "bob-vpn");
    bob.getSpec().duration = "1h";
    bob.getSpec().renewBefore = "59m52s";
    bob.getSpec().privateKey = new PrivateKeySpec();
    bob.getSpec().privateKey.rotationPolicy = PrivateKeySpec.RotationPolicy.Never;
    client.resource(bob).create();
    await().atMost(TIMEOUT).until(() -> secret("bob-vpn") != null && ready("bob"));
    X509Certificate first =
        Pem.decodeCertificate(SecretData.get(secret("bob-vpn"), "tls.crt").orElseThrow());

    // renewalTime is 8 s after issue: the reconcile is scheduled for it
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !Pem.decodeCertificate(SecretData.get(secret("bob-vpn"), "tls.crt").orElseThrow())
                    .equals(first));
    X509Certificate renewed =
        Pem.decodeCertificate(SecretData.get(secret("bob-vpn"), "tls.crt").orElseThrow());
    assertNotEquals(first.getSerialNumber(), renewed.getSerialNumber());
    assertArrayEquals(
        first.getPublicKey().getEncoded(),
        renewed.getPublicKey().getEncoded(),
        "rotationPolicy Never keeps the key");
  }

  @Test
  void deletingACertificateRevokesItFirst() {
    client.resource(certificate("carol", "carol-vpn")).create();
    await().atMost(TIMEOUT).until(() -> ready("carol") && secret("carol-vpn") != null);
    BigInteger serial =
        Pem.decodeCertificate(SecretData.get(secret("carol-vpn"), "tls.crt").orElseThrow())
            .getSerialNumber();
    client.resources(ClientCertificate.class).inNamespace(NS).withName("carol").delete();
    await().atMost(TIMEOUT).until(() -> get("carol") == null);
    assertTrue(
        crl().getRevokedCertificate(serial) != null, "the CRL lists the deleted certificate");
  }

  /**
   * The CRL Secret overwritten with an older copy (a backup restored, GitOps re-applying it) that
   * lacks a revoked certificate: the CRL event wakes that ClientCertificate, which lists itself
   * again, instead of staying un-revoked until a resync.
   */
  @Test
  void aCrlOverwrittenWithoutARevokedCertificateGetsItBack() {
    client.resource(certificate("olga", "olga-vpn")).create();
    await().atMost(TIMEOUT).until(() -> ready("olga") && secret("olga-vpn") != null);
    BigInteger serial = serialIn("olga-vpn");
    String backup = secret(GATEWAY + "-crl").getData().get("crl.pem");
    editSpec("olga", c -> c.getSpec().revoked = true);
    await().atMost(TIMEOUT).until(() -> crl().getRevokedCertificate(serial) != null);
    await()
        .atMost(TIMEOUT)
        .until(() -> Condition.TRUE.equals(condition("olga", ConditionTypes.REVOKED).status));

    client
        .secrets()
        .inNamespace(NS)
        .withName(GATEWAY + "-crl")
        .edit(
            s -> {
              s.getData().put("crl.pem", backup);
              return s;
            });
    assertTrue(crl().getRevokedCertificate(serial) == null, "the older copy does not list it");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertTrue(
                    crl().getRevokedCertificate(serial) != null,
                    "the operator listed the revoked certificate again"));
  }

  /** As above with a CRL Secret whose CRL is unreadable: a new CRL lists the revoked one. */
  @Test
  void aCrlOverwrittenWithGarbageListsTheRevokedCertificateAgain() {
    client.resource(certificate("pete", "pete-vpn")).create();
    await().atMost(TIMEOUT).until(() -> ready("pete") && secret("pete-vpn") != null);
    BigInteger serial = serialIn("pete-vpn");
    editSpec("pete", c -> c.getSpec().revoked = true);
    await().atMost(TIMEOUT).until(() -> crl().getRevokedCertificate(serial) != null);

    client
        .secrets()
        .inNamespace(NS)
        .withName(GATEWAY + "-crl")
        .edit(
            s -> {
              s.getData().put("crl.pem", SecretData.encodeValue("not a CRL"));
              return s;
            });
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertTrue(
                    crl().getRevokedCertificate(serial) != null,
                    "a readable CRL lists the revoked certificate again"));
  }

  @Test
  void revokingListsTheCertificatesARenewalKeptValidToo() {
    ClientCertificate dave = certificate("dave", "dave-vpn");
    dave.getSpec().duration = "1h";
    dave.getSpec().renewBefore = "59m52s";
    client.resource(dave).create();
    await().atMost(TIMEOUT).until(() -> secret("dave-vpn") != null && ready("dave"));
    BigInteger first = serialIn("dave-vpn");
    // renewed 8 s after issue; the first certificate stays valid and is recorded in the status
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !serialIn("dave-vpn").equals(first)
                    && get("dave").getStatus().previousCertificates.stream()
                        .anyMatch(p -> new BigInteger(p.serialNumber, 16).equals(first)));
    BigInteger second = serialIn("dave-vpn");
    assertTrue(crl().getRevokedCertificate(first) == null, "a renewal does not revoke");

    editSpec("dave", c -> c.getSpec().revoked = true);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                crl().getRevokedCertificate(second) != null
                    && crl().getRevokedCertificate(first) != null);
  }

  @Test
  void changingGroupsRevokesTheCertificateWithTheOldGroups() {
    ClientCertificate erin = certificate("erin", "erin-vpn");
    erin.getSpec().groups = List.of("eng", "admin");
    client.resource(erin).create();
    await().atMost(TIMEOUT).until(() -> secret("erin-vpn") != null && ready("erin"));
    BigInteger withAdmin = serialIn("erin-vpn");

    editSpec("erin", c -> c.getSpec().groups = List.of("eng"));
    await().atMost(TIMEOUT).until(() -> !serialIn("erin-vpn").equals(withAdmin));
    assertTrue(
        crl().getRevokedCertificate(withAdmin) != null,
        "the certificate with the removed group is on the CRL");
    assertTrue(crl().getRevokedCertificate(serialIn("erin-vpn")) == null);
  }

  @Test
  void deletingRevokesACertificateWhoseSecretWasReplaced() {
    client.resource(certificate("frank", "frank-vpn")).create();
    await().atMost(TIMEOUT).until(() -> ready("frank") && secret("frank-vpn") != null);
    BigInteger first = serialIn("frank-vpn");
    client.secrets().inNamespace(NS).withName("frank-vpn").delete();
    await()
        .atMost(TIMEOUT)
        .until(() -> secret("frank-vpn") != null && !serialIn("frank-vpn").equals(first));
    BigInteger second = serialIn("frank-vpn");
    client.resources(ClientCertificate.class).inNamespace(NS).withName("frank").delete();
    await().atMost(TIMEOUT).until(() -> get("frank") == null);
    assertTrue(crl().getRevokedCertificate(second) != null, "the current certificate");
    assertTrue(crl().getRevokedCertificate(first) != null, "the one in the deleted Secret");
  }

  /**
   * The status write the reconcilers use is conditional, in this mock as on a real API server: one
   * computed from a ClientCertificate read before a spec edit is refused with 409 (which the
   * reconcilers retry) and leaves the edited spec and the status alone. (Writes from a fresh read
   * being taken is what every other test here waits for.)
   */
  @Test
  void aStatusWrittenFromAStaleReadIsRefusedWithConflict() {
    client.resource(certificate("gina", "gina-vpn")).create();
    await().atMost(TIMEOUT).until(() -> ready("gina"));
    ClientCertificate stale = get("gina");
    editSpec("gina", c -> c.getSpec().groups = List.of("ops"));

    ClientCertificateStatus status = stale.getStatus();
    status.thumbprint = "stale";
    KubernetesClientException refused =
        assertThrows(KubernetesClientException.class, () -> writeStatus(stale, status));
    assertTrue(StatusPatches.isConflict(refused), "409, not " + refused.getCode());
    assertEquals(List.of("ops"), get("gina").getSpec().groups);
    assertNotEquals("stale", get("gina").getStatus().thumbprint);
  }

  /** The status write of the reconcilers ({@link StatusPatches#write}), without a reconcile. */
  private void writeStatus(ClientCertificate read, ClientCertificateStatus status) {
    client
        .resource(read)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            StatusPatches.conditional(read, status, client.getKubernetesSerialization()));
  }

  /**
   * Edits a ClientCertificate's spec, again on a 409: the operator's status patches carry the
   * resourceVersion too, so an edit can lose the race to one of them.
   */
  private void editSpec(String name, Consumer<ClientCertificate> change) {
    await()
        .atMost(TIMEOUT)
        .ignoreException(KubernetesClientException.class)
        .until(
            () -> {
              client
                  .resources(ClientCertificate.class)
                  .inNamespace(NS)
                  .withName(name)
                  .edit(
                      c -> {
                        change.accept(c);
                        return c;
                      });
              return true;
            });
  }

  private BigInteger serialIn(String secretName) {
    Secret s = secret(secretName);
    return s == null
        ? BigInteger.ZERO
        : Pem.decodeCertificate(SecretData.get(s, "tls.crt").orElseThrow()).getSerialNumber();
  }

  private ClientCertificate certificate(String name, String secretName) {
    ClientCertificate cc = new ClientCertificate();
    cc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    cc.setSpec(new ClientCertificateSpec());
    cc.getSpec().gatewayRef = new GatewayRef(GATEWAY);
    cc.getSpec().commonName = name + "@example.com";
    cc.getSpec().secretName = secretName;
    return cc;
  }

  private X509CRL crl() {
    return Pem.decodeCrl(SecretData.get(secret(GATEWAY + "-crl"), "crl.pem").orElseThrow());
  }

  private boolean ready(String name) {
    return Condition.TRUE.equals(condition(name, ConditionTypes.READY).status);
  }

  private Condition condition(String name, String type) {
    ClientCertificate cc = get(name);
    return cc == null || cc.getStatus() == null
        ? new Condition(type, "Missing", null, "")
        : Conditions.find(cc.getStatus().conditions, type)
            .orElse(new Condition(type, "Missing", null, ""));
  }

  private ClientCertificate get(String name) {
    return client.resources(ClientCertificate.class).inNamespace(NS).withName(name).get();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }
}
