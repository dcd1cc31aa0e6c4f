package io.vpngateway.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.v1alpha1.VpnGateway;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GatewayConfigTest {
  private static final String BASE =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata: {name: gw, namespace: ns}
      spec:
        protocols: [OpenVPN, IKEv2]
        clientAddressPools:
          - cidr: 10.1.0.0/24
          - cidr: 10.2.0.0/24
            groups: [eng]
            priority: 5
        routing: {routes: [10.96.0.0/12]}
      """;

  static VpnGateway base() {
    return Serialization.unmarshal(BASE, VpnGateway.class);
  }

  @Test
  void rendersDefaultsFromSkuPresetAndCluster() {
    VpnGateway gw = base();
    gw.getSpec().sku = io.vpngateway.api.v1alpha1.spec.Sku.VpnGw2;
    GatewayConfig c = GatewayConfigRenderer.render(gw, new RenderDefaults("10.96.0.10", "cluster.local"));
    assertEquals(2, c.replicas());
    assertEquals(1000, c.maxConnections());
    assertEquals(List.of("10.96.0.10"), c.dns().servers());
    assertEquals(List.of("ns.svc.cluster.local"), c.dns().searchDomains());
    assertEquals("azure-2026", c.crypto().preset());
    assertTrue(c.routing().nat(), "NAT defaults on");
    assertTrue(c.authentication().certificate().builtInCa(), "built-in CA defaults on");
    assertEquals(List.of(), GatewayConfigValidator.validate(c));
  }

  @Test
  void roundTripsThroughYaml() throws InvalidConfigException {
    GatewayConfig c = GatewayConfigRenderer.render(base(), RenderDefaults.standalone());
    assertEquals(c, GatewayConfigCodec.read(GatewayConfigCodec.write(c)));
  }

  @Test
  void unknownFieldIsNamed() {
    String yaml = GatewayConfigCodec.write(GatewayConfigRenderer.render(base(), RenderDefaults.standalone()));
    InvalidConfigException e =
        assertThrows(InvalidConfigException.class, () -> GatewayConfigCodec.read(yaml + "bogus: 1\n"));
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
  }

  @Test
  void garbageIsAClearError() {
    InvalidConfigException e =
        assertThrows(InvalidConfigException.class, () -> GatewayConfigCodec.read("version: [unclosed"));
    assertTrue(e.getMessage().contains("line"), e.getMessage());
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        Arguments.of("overlapping pools", (Consumer<VpnGateway>) g -> g.getSpec().clientAddressPools.get(1).cidr = "10.1.0.128/25", "clientAddressPools[1].cidr"),
        Arguments.of("host bits", (Consumer<VpnGateway>) g -> g.getSpec().clientAddressPools.get(0).cidr = "10.1.0.5/24", "clientAddressPools[0].cidr"),
        Arguments.of("pool too small for slices", (Consumer<VpnGateway>) g -> { g.getSpec().replicas = 16; g.getSpec().clientAddressPools.get(0).cidr = "10.1.0.0/26"; }, "clientAddressPools[0].cidr"),
        Arguments.of("no default pool", (Consumer<VpnGateway>) g -> g.getSpec().clientAddressPools.get(0).groups = List.of("x"), "clientAddressPools"),
        Arguments.of("two default pools", (Consumer<VpnGateway>) g -> g.getSpec().clientAddressPools.get(1).groups = List.of(), "clientAddressPools"),
        Arguments.of("bad route", (Consumer<VpnGateway>) g -> g.getSpec().routing.routes = List.of("10.0.0.0/40"), "routing.routes[0]"),
        Arguments.of("oidc without OpenVPN", (Consumer<VpnGateway>) g -> {
          g.getSpec().protocols = List.of(io.vpngateway.api.v1alpha1.spec.VpnProtocol.IKEv2);
          g.getSpec().authentication = new io.vpngateway.api.v1alpha1.spec.Authentication();
          g.getSpec().authentication.oidc = new io.vpngateway.api.v1alpha1.spec.OidcAuthentication();
          g.getSpec().authentication.oidc.issuerUrl = "https://id.example";
          g.getSpec().authentication.oidc.audience = "vpn";
        }, "authentication.oidc"),
        Arguments.of("radius interim interval under 5s", (Consumer<VpnGateway>) g -> {
          g.getSpec().authentication = new io.vpngateway.api.v1alpha1.spec.Authentication();
          g.getSpec().authentication.radius = new io.vpngateway.api.v1alpha1.spec.RadiusAuthentication();
          var server = new io.vpngateway.api.v1alpha1.spec.RadiusServer();
          server.address = "10.0.0.5";
          server.secretRef = new io.vpngateway.api.v1alpha1.SecretKeyRef("radius", null);
          g.getSpec().authentication.radius.servers.add(server);
          g.getSpec().authentication.radius.accountingInterimInterval = "2s";
        }, "authentication.radius.accountingInterimInterval"),
        Arguments.of("oidc skew above 5m", (Consumer<VpnGateway>) g -> oidc(g).clockSkew = "10m", "authentication.oidc.clockSkew"),
        Arguments.of("oidc sign-in timeout too short", (Consumer<VpnGateway>) g -> oidc(g).signInTimeout = "2s", "authentication.oidc.signInTimeout"),
        Arguments.of("oidc callback on the TLS port", (Consumer<VpnGateway>) g -> oidc(g).callbackPort = 443, "authentication.oidc.callbackPort"),
        Arguments.of("oidc callback on the management port", (Consumer<VpnGateway>) g -> oidc(g).callbackPort = 9443, "authentication.oidc.callbackPort"),
        Arguments.of("oidc redirect not ending in /callback", (Consumer<VpnGateway>) g -> oidc(g).redirectUrl = "https://vpn.example.com/cb", "authentication.oidc.redirectUrl"),
        Arguments.of("oidc client secret without client id", (Consumer<VpnGateway>) g -> {
          oidc(g).clientId = null;
          oidc(g).clientSecretRef = new io.vpngateway.api.v1alpha1.SecretKeyRef("idp", null);
        }, "authentication.oidc.clientSecretRef"),
        Arguments.of("no auth method", (Consumer<VpnGateway>) g -> {
          g.getSpec().authentication = new io.vpngateway.api.v1alpha1.spec.Authentication();
          g.getSpec().authentication.certificate = new io.vpngateway.api.v1alpha1.spec.CertificateAuthentication();
          g.getSpec().authentication.certificate.builtInCa = false;
        }, "authentication"));
  }

  /** Web sign-in on the OpenVPN gateway of {@link #base()}. */
  static io.vpngateway.api.v1alpha1.spec.OidcAuthentication oidc(VpnGateway g) {
    if (g.getSpec().authentication == null) {
      g.getSpec().authentication = new io.vpngateway.api.v1alpha1.spec.Authentication();
    }
    if (g.getSpec().authentication.oidc == null) {
      var o = new io.vpngateway.api.v1alpha1.spec.OidcAuthentication();
      o.issuerUrl = "https://id.example";
      o.audience = "vpn";
      o.clientId = "vpn-web";
      g.getSpec().authentication.oidc = o;
    }
    return g.getSpec().authentication.oidc;
  }

  @Test
  void oidcWebSignInRendersWithItsDefaults() {
    VpnGateway gw = base();
    oidc(gw);
    GatewayConfig.Oidc o = GatewayConfigRenderer.render(gw, RenderDefaults.standalone()).authentication().oidc();
    assertEquals(List.of("openid", "profile", "email"), o.scopes());
    assertEquals(8443, o.effectiveCallbackPort());
    assertEquals(300_000, o.signInTimeoutMillis());
    assertEquals(60_000, o.clockSkewMillis());
    assertEquals(null, o.clientSecretFile());
    assertTrue(o.webSignIn());
    assertEquals(List.of(), GatewayConfigValidator.validate(GatewayConfigRenderer.render(gw, RenderDefaults.standalone())));
  }

  @Test
  void certificateAndPasswordIsRefusedWithIkev2WhichCouldAdmitNobody() {
    VpnGateway gw = base(); // OpenVPN and IKEv2
    oidc(gw);
    gw.getSpec().authentication.requireCertificateAndPassword = true;
    List<ConfigError> errors =
        GatewayConfigValidator.validate(GatewayConfigRenderer.render(gw, RenderDefaults.standalone()));
    assertEquals(1, errors.size(), errors.toString());
    assertEquals("authentication.requireCertificateAndPassword", errors.get(0).field());
    assertTrue(errors.get(0).message().contains("IKEv2")
        && errors.get(0).message().contains("RFC 4739"), errors.get(0).message());

    gw.getSpec().protocols = List.of(io.vpngateway.api.v1alpha1.spec.VpnProtocol.OpenVPN);
    assertEquals(List.of(), GatewayConfigValidator.validate(
        GatewayConfigRenderer.render(gw, RenderDefaults.standalone())), "fine for OpenVPN alone");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidSpecNamesTheField(String name, Consumer<VpnGateway> breakIt, String field) {
    VpnGateway gw = base();
    breakIt.accept(gw);
    List<ConfigError> errors = GatewayConfigValidator.validate(GatewayConfigRenderer.render(gw, RenderDefaults.standalone()));
    assertTrue(errors.stream().anyMatch(e -> e.field().equals(field)), name + ": " + errors);
  }

  @Test
  void trustGroupsOfATrustedRootIsRenderedAndCheckedAgainstTheRoots() {
    VpnGateway gw =
        Serialization.unmarshal(
            BASE
                + """
                  authentication:
                    certificate:
                      trustedRoots:
                        - name: corp-ca
                        - name: partner-ca
                          trustGroups: true
                """,
            VpnGateway.class);
    GatewayConfig c = GatewayConfigRenderer.render(gw, RenderDefaults.standalone());
    GatewayConfig.Certificate cert = c.authentication().certificate();
    assertEquals(List.of("trusted-root-0.crt", "trusted-root-1.crt"), cert.trustedRoots());
    assertEquals(List.of("trusted-root-1.crt"), cert.trustedRootsWithGroups());
    assertEquals(List.of(), GatewayConfigValidator.validate(c));
    assertEquals(
        List.of(),
        GatewayConfigRenderer.render(base(), RenderDefaults.standalone())
            .authentication()
            .certificate()
            .trustedRootsWithGroups(),
        "only the built-in CA's groups by default");

    GatewayConfig wrong =
        new GatewayConfig(
            c.version(), c.gateway(), c.protocols(), c.listen(), c.replicas(), c.maxConnections(),
            c.pools(), c.routing(), c.dns(), c.tunnel(),
            new GatewayConfig.Authentication(
                new GatewayConfig.Certificate(
                    true, List.of("trusted-root-0.crt"), List.of(), List.of("elsewhere.crt")),
                null,
                null,
                false),
            c.crypto(), c.openvpn(), c.ikev2(), c.management(), c.files());
    assertTrue(
        GatewayConfigValidator.validate(wrong).stream()
            .anyMatch(e -> e.field().equals("authentication.certificate.trustedRootsWithGroups")));
  }

  @Test
  void durations() {
    assertEquals(5000, GatewayConfigRenderer.durationMillis("5s"));
    assertEquals(5_400_000, GatewayConfigRenderer.durationMillis("1h30m"));
    assertEquals(250, GatewayConfigRenderer.durationMillis("250ms"));
    assertThrows(IllegalArgumentException.class, () -> GatewayConfigRenderer.durationMillis("5 s"));
  }
}
