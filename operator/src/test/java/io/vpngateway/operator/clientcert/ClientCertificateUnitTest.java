package io.vpngateway.operator.clientcert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.ClientCertificateStatus;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.GatewayRef;
import io.vpngateway.api.v1alpha1.spec.SecretTemplate;
import io.vpngateway.operator.support.FakeContext;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ClientCertificate Secret's {@code desired()}, the issuer's keep-or-issue rule, the status.
 */
class ClientCertificateUnitTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final CertificateAuthority CA = CertificateAuthority.create("gw", KeySpec.EC_P256, NOW);

  static ClientCertificateIssuer.Gateway gateway() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    return new ClientCertificateIssuer.Gateway(
        "gw",
        GatewayConfigRenderer.render(gw, new RenderDefaults("10.96.0.10", "cluster.local")),
        CA,
        Optional.of(TlsCryptV2ServerKey.generate(new SecureRandom()).toPem()),
        "vpn.example.com",
        "vpn.example.com");
  }

  static ClientCertificateSpec spec() {
    ClientCertificateSpec spec = new ClientCertificateSpec();
    spec.gatewayRef = new GatewayRef("gw");
    spec.commonName = "alice";
    spec.groups = List.of("eng");
    spec.secretName = "alice-vpn";
    return spec;
  }

  static Secret secretOf(Map<String, byte[]> data) {
    Secret s = new Secret();
    s.setMetadata(new ObjectMetaBuilder().withName("alice-vpn").build());
    s.setData(SecretData.encodeBytes(data));
    return s;
  }

  @Test
  void anUnchangedCertificateRendersTheSameBytes() {
    ClientCertificateIssuer issuer = new ClientCertificateIssuer();
    var gateway = gateway();
    Issuance.Issued first = issuer.issue(spec(), gateway, Optional.empty(), NOW);
    assertTrue(first.renewed());
    Issuance.Issued again =
        issuer.issue(
            spec(), gateway, Optional.of(secretOf(first.secretData())), NOW.plusSeconds(60));
    assertTrue(!again.renewed(), "kept");
    assertEquals(
        SecretData.encodeBytes(first.secretData()), SecretData.encodeBytes(again.secretData()));
  }

  @Test
  void aChangedSubjectOrDueRenewalIssuesAgain() {
    ClientCertificateIssuer issuer = new ClientCertificateIssuer();
    var gateway = gateway();
    Issuance.Issued first = issuer.issue(spec(), gateway, Optional.empty(), NOW);
    ClientCertificateSpec regrouped = spec();
    regrouped.groups = List.of("ops");
    Issuance.Issued second =
        issuer.issue(regrouped, gateway, Optional.of(secretOf(first.secretData())), NOW);
    assertTrue(second.renewed());
    Issuance.Issued due =
        issuer.issue(
            spec(), gateway, Optional.of(secretOf(first.secretData())), first.renewalTime());
    assertTrue(due.renewed());
    assertNotEquals(first.certificate().serialNumberHex(), due.certificate().serialNumberHex());
  }

  @Test
  void secretDesiredCarriesTheTemplateAndTheOperatorsLabels() {
    ClientCertificate cc = new ClientCertificate();
    cc.setMetadata(new ObjectMetaBuilder().withName("alice").withNamespace("test").build());
    cc.setSpec(spec());
    cc.getSpec().secretTemplate = new SecretTemplate();
    cc.getSpec().secretTemplate.labels =
        Map.of("team", "a", "app.kubernetes.io/managed-by", "someone-else");
    cc.getSpec().secretTemplate.annotations = Map.of("note", "laptop");
    Issuance.Issued issued =
        new ClientCertificateIssuer().issue(cc.getSpec(), gateway(), Optional.empty(), NOW);
    Secret secret =
        new ClientCertificateSecretDependentResource()
            .desired(cc, FakeContext.with(Issuance.KEY, issued));
    assertEquals("alice-vpn", secret.getMetadata().getName());
    assertEquals("a", secret.getMetadata().getLabels().get("team"));
    assertEquals(
        "vpngateway-operator",
        secret.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertEquals("laptop", secret.getMetadata().getAnnotations().get("note"));
    for (String key :
        List.of(
            "tls.crt",
            "tls.key",
            "ca.crt",
            "keystore.p12",
            "keystore.p12.password",
            "client.ovpn",
            "tls-crypt-v2.key")) {
      assertTrue(secret.getData().containsKey(key), key);
    }
  }

  static Stream<Arguments> outcomes() {
    Issuance.Issued issued =
        new ClientCertificateIssuer().issue(spec(), gateway(), Optional.empty(), NOW);
    return Stream.of(
        Arguments.of(issued, "True", "Issued", "False"),
        Arguments.of(new Issuance.Revoked("0a1b", NOW), "False", "Revoked", "True"),
        Arguments.of(
            new Issuance.GatewayNotReady("VpnGateway 'gw' not found"),
            "False",
            "GatewayNotReady",
            null),
        Arguments.of(
            new Issuance.InvalidSpec("rotationPolicy is Never but ..."),
            "False",
            "InvalidSpec",
            null));
  }

  @ParameterizedTest(name = "{1}/{2}")
  @MethodSource("outcomes")
  void statusFollowsTheOutcome(Issuance outcome, String ready, String reason, String revoked) {
    ClientCertificateStatus status =
        ClientCertificateStatusAggregator.aggregate(null, 2, outcome, NOW);
    Condition r = Conditions.find(status.conditions, ConditionTypes.READY).orElseThrow();
    assertEquals(ready, r.status);
    assertEquals(reason, r.reason);
    assertEquals(2L, status.observedGeneration);
    if (revoked != null) {
      assertEquals(
          revoked, Conditions.find(status.conditions, ConditionTypes.REVOKED).orElseThrow().status);
    }
    if (outcome instanceof Issuance.Issued issued) {
      assertTrue(status.thumbprint.matches("[0-9A-F]{40}"));
      assertTrue(status.sha256.matches("[0-9a-f]{64}"));
      assertEquals(
          issued.renewalTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
          status.renewalTime);
    }
  }
}
