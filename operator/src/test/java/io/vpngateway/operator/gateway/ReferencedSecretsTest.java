package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.Authentication;
import io.vpngateway.api.v1alpha1.spec.CertificateAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusServer;
import io.vpngateway.api.v1alpha1.spec.ServerCertificate;
import io.vpngateway.operator.support.FakeContext;
import io.vpngateway.operator.support.TestGateways;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The user's Secrets a gateway references: naming, copying, watching. */
class ReferencedSecretsTest {
  static VpnGateway gateway() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    gw.getSpec().authentication = new Authentication();
    gw.getSpec().authentication.certificate = new CertificateAuthentication();
    gw.getSpec().authentication.certificate.trustedRoots =
        List.of(new io.vpngateway.api.v1alpha1.spec.TrustedRoot("corp-ca", null, null));
    RadiusServer radius = new RadiusServer();
    radius.address = "10.0.0.5";
    radius.secretRef = new SecretKeyRef("radius", "shared");
    gw.getSpec().authentication.radius = new RadiusAuthentication();
    gw.getSpec().authentication.radius.servers = List.of(radius);
    gw.getSpec().serverCertificate = new ServerCertificate();
    gw.getSpec().serverCertificate.secretName = "vpn-tls";
    return gw;
  }

  @Test
  void oidcClientSecretAndIssuerCaBecomeTheirConfigFiles() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    gw.getSpec().authentication = new Authentication();
    var oidc = new io.vpngateway.api.v1alpha1.spec.OidcAuthentication();
    oidc.issuerUrl = "https://idp.example.com";
    oidc.audience = "vpn";
    oidc.clientId = "vpn-web";
    oidc.clientSecretRef = new SecretKeyRef("idp-client", null);
    oidc.issuerCaRef = new SecretKeyRef("idp-ca", "root.pem");
    gw.getSpec().authentication.oidc = oidc;
    var refs = ReferencedSecrets.of(gw.getSpec());
    assertEquals(
        List.of(
            new io.vpngateway.api.config.SecretReferences.Reference(
                "authentication.oidc.clientSecretRef", "idp-client", "clientSecret",
                "oidc-client.secret"),
            new io.vpngateway.api.config.SecretReferences.Reference(
                "authentication.oidc.issuerCaRef", "idp-ca", "root.pem", "oidc-issuer-ca.crt")),
        refs);
    var resolution =
        ReferencedSecrets.resolve(
            refs,
            name ->
                Optional.of(
                    secret(name, Map.of("clientSecret", "s3cret", "root.pem", "PEM"))));
    assertEquals(
        Map.of("oidc-client.secret", "s3cret", "oidc-issuer-ca.crt", "PEM"), resolution.files());
    assertEquals(List.of("test/idp-ca", "test/idp-client"), ReferencedSecrets.indexKeys(gw));
  }

  static Secret secret(String name, Map<String, String> data) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withStringData(data)
        .build();
  }

  @Test
  void missingSecretsAreNamedWithTheirFieldNeverWithValues() {
    var refs = ReferencedSecrets.of(gateway().getSpec());
    var resolution =
        ReferencedSecrets.resolve(
            refs,
            name ->
                name.equals("radius")
                    ? Optional.of(secret("radius", Map.of("other", "hunter2")))
                    : Optional.empty());
    assertFalse(resolution.complete());
    assertEquals(
        List.of(
            "Secret 'corp-ca' (authentication.certificate.trustedRoots[0]) not found",
            "Secret 'radius' (authentication.radius.servers[0].secretRef) has no key 'shared'",
            "Secret 'vpn-tls' (serverCertificate.secretName) not found"),
        resolution.missing());
    assertTrue(resolution.missing().stream().noneMatch(m -> m.contains("hunter2")));
  }

  @Test
  void resolvedValuesBecomeConfigFilesExceptTheMountedServerCertificate() {
    var resolution =
        ReferencedSecrets.resolve(
            ReferencedSecrets.of(gateway().getSpec()),
            name ->
                Optional.of(
                    secret(
                        name,
                        Map.of(
                            "ca.crt", "ROOT", "shared", "s3cret", "tls.crt", "C", "tls.key",
                            "K"))));
    assertTrue(resolution.complete());
    assertEquals(
        Map.of("trusted-root-0.crt", "ROOT", "radius-0.secret", "s3cret"), resolution.files());
    assertEquals(
        List.of("test/corp-ca", "test/radius", "test/vpn-tls"),
        ReferencedSecrets.indexKeys(gateway()));
  }

  @Test
  void aBroughtServerCertificateReplacesTheBuiltInOneInThePods() {
    VpnGateway gw = gateway();
    GatewayInputs built = GatewayDependentsTest.inputs(TestGateways.openVpn("gw", 1));
    GatewayInputs byo =
        new GatewayInputs(
            built.config(),
            built.configFiles(),
            built.restartHash(),
            built.image(),
            built.imagePullPolicy(),
            built.ipForwardSysctl(),
            "vpn-tls",
            built.certificates(),
            built.operatorPods());
    var sts =
        new VpnGatewayStatefulSetDependentResource()
            .desired(gw, FakeContext.with(GatewayInputs.KEY, byo));
    var sources =
        sts.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("config"))
            .findFirst()
            .orElseThrow()
            .getProjected()
            .getSources();
    assertEquals("vpn-tls", sources.get(2).getSecret().getName());
    assertFalse(new BuiltInServerCertificateCondition().isMet(null, gw, null));
    assertTrue(
        new BuiltInServerCertificateCondition().isMet(null, TestGateways.openVpn("gw", 1), null));
  }
}
