package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.Routing;
import io.vpngateway.api.v1alpha1.spec.ServerCertificate;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.api.v1alpha1.spec.Sku;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.operator.render.GatewayServerNames;
import io.vpngateway.operator.support.FakeContext;
import io.vpngateway.operator.support.Hashes;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import io.vpngateway.operator.support.TestOperatorConfig;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every VpnGateway dependent's {@code desired()}, called directly with prepared inputs. */
class GatewayDependentsTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final TestOperatorConfig CONFIG = TestOperatorConfig.defaults();
  static final RenderDefaults DEFAULTS = new RenderDefaults("10.96.0.10", "cluster.local");

  static final GatewayInputs.OperatorPods OPERATOR_PODS =
      GatewayInputs.OperatorPods.of(
          Optional.of("vpngateway-system"),
          "app.kubernetes.io/name=vpngateway-operator,app.kubernetes.io/instance=vpngw");

  /** The inputs the reconciler would prepare for a gateway with nothing existing yet. */
  static GatewayInputs inputs(VpnGateway gw) {
    return inputs(gw, Map.of());
  }

  /** The same, with the files copied from the user's referenced Secrets. */
  static GatewayInputs inputs(VpnGateway gw, Map<String, String> referencedFiles) {
    GatewayConfig config = GatewayConfigRenderer.render(gw, DEFAULTS);
    GatewayCertificates.Material material =
        new GatewayCertificates(CONFIG.pki())
            .prepare(
                gw,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                config.files(),
                Optional.of(
                    GatewayServerNames.of(
                        gw, gw.getMetadata().getName(), "203.0.113.7", "cluster.local")),
                NOW);
    return new GatewayInputs(
        config,
        ConfigFiles.of(
            config, referencedFiles, Optional.empty(), material.management(), new SecureRandom()),
        Hashes.shortSha256(config.restartFingerprint()),
        "registry.local/gateway:1",
        "IfNotPresent",
        true,
        gw.getMetadata().getName() + "-server-tls",
        material,
        OPERATOR_PODS);
  }

  static FakeContext<VpnGateway> context(VpnGateway gw) {
    return FakeContext.with(GatewayInputs.KEY, inputs(gw));
  }

  @Test
  void caSecretHoldsTheCaInCertManagersShape() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    Secret ca = new VpnGatewayCaSecretDependentResource().desired(gw, context(gw));
    assertEquals("gw-ca", ca.getMetadata().getName());
    assertEquals("kubernetes.io/tls", ca.getType());
    assertEquals("ca", ca.getMetadata().getLabels().get("app.kubernetes.io/component"));
    CertificateAuthority loaded =
        CertificateAuthority.fromPem(
            SecretData.get(ca, "tls.crt").orElseThrow(),
            SecretData.get(ca, "tls.key").orElseThrow());
    assertEquals(SecretData.get(ca, "tls.crt"), SecretData.get(ca, "ca.crt"));
    assertTrue(loaded.certificate().getBasicConstraints() >= 0, "a CA certificate");
  }

  @Test
  void serverSecretCarriesTheDnsNamesServiceNamesAndEndpoint() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    gw.getSpec().serverCertificate = new ServerCertificate();
    gw.getSpec().serverCertificate.dnsNames = List.of("vpn.example.com");
    FakeContext<VpnGateway> context = context(gw);
    Secret server = new VpnGatewayServerSecretDependentResource().desired(gw, context);
    var sans =
        ServerNames.sansOf(Pem.decodeCertificate(SecretData.get(server, "tls.crt").orElseThrow()));
    assertEquals(
        java.util.Set.of(
            "DNS:vpn.example.com",
            "DNS:gw.test.svc",
            "DNS:gw.test.svc.cluster.local",
            "IP:203.0.113.7"),
        sans);
    CertificateAuthority ca =
        CertificateAuthority.fromPem(
            inputsOf(context).certificates().caCertificatePem(),
            inputsOf(context).certificates().caKeyPem());
    assertTrue(ca.signed(Pem.decodeCertificate(SecretData.get(server, "tls.crt").orElseThrow())));
  }

  @Test
  void crlSecretHoldsACrlSignedByTheCaAndTheTlsCryptV2ServerKey() throws Exception {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    FakeContext<VpnGateway> context = context(gw);
    Secret crl = new VpnGatewayCrlSecretDependentResource().desired(gw, context);
    X509CRL parsed = Pem.decodeCrl(SecretData.get(crl, "crl.pem").orElseThrow());
    CertificateAuthority ca =
        CertificateAuthority.fromPem(
            inputsOf(context).certificates().caCertificatePem(),
            inputsOf(context).certificates().caKeyPem());
    assertTrue(RevocationList.signedBy(ca, parsed));
    assertTrue(RevocationList.entries(parsed).isEmpty());
    TlsCryptV2ServerKey.parse(SecretData.get(crl, "tls-crypt-v2-server.key").orElseThrow());
  }

  @Test
  void configSecretHoldsAValidDocumentAndKeepsItsTokens() throws Exception {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    FakeContext<VpnGateway> context = context(gw);
    Secret config = new VpnGatewayConfigSecretDependentResource().desired(gw, context);
    GatewayConfig document =
        GatewayConfigCodec.read(SecretData.get(config, "config.yaml").orElseThrow());
    assertEquals("gw", document.gateway().name());
    String token = SecretData.get(config, "management.token").orElseThrow();
    assertTrue(token.length() >= 22);
    var management =
        new GatewayCertificates(CONFIG.pki())
            .prepare(
                gw,
                Optional.of(new VpnGatewayCaSecretDependentResource().desired(gw, context)),
                Optional.empty(),
                Optional.empty(),
                Optional.of(config),
                document.files(),
                Optional.empty(),
                NOW.plusSeconds(60))
            .management();
    // the management certificate is kept from the Secret while usable, as the tokens are
    assertEquals(SecretData.get(config, "management.crt").orElseThrow(), management.certificatePem());
    assertEquals(SecretData.get(config, "management.key").orElseThrow(), management.keyPem());
    assertTrue(
        io.vpngateway.api.pki.ServerNames.sansOf(
                io.vpngateway.api.pki.Pem.decodeCertificate(management.certificatePem()))
            .contains(
                "DNS:"
                    + io.vpngateway.api.pki.ManagementTls.identity(
                        gw.getMetadata().getNamespace(), "gw")),
        "names the gateway's management identity");
    Map<String, String> again =
        ConfigFiles.of(document, Map.of(), Optional.of(config), management, new SecureRandom());
    assertEquals(token, again.get("management.token"), "tokens survive a re-render");
    assertEquals(
        SecretData.get(config, "auth-token.key").orElseThrow(), again.get("auth-token.key"));
  }

  @Test
  void statefulSetIsHardenedAndMountsOnlyWhatTheGatewayReads() {
    VpnGateway gw = TestGateways.openVpn("gw", 3);
    gw.getSpec().sku = Sku.VpnGw2;
    StatefulSet sts = new VpnGatewayStatefulSetDependentResource().desired(gw, context(gw));
    assertEquals(3, sts.getSpec().getReplicas());
    var pod = sts.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertEquals("registry.local/gateway:1", container.getImage());
    assertEquals(
        List.of("vpngw", "serve", "--config", "/etc/vpngw/config.yaml"), container.getCommand());
    assertEquals(List.of("NET_ADMIN"), container.getSecurityContext().getCapabilities().getAdd());
    assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
    assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals("/readyz", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/healthz", container.getLivenessProbe().getHttpGet().getPath());
    // the kubelet probes the plain-HTTP health port; the management port is TLS (the gateway CA)
    assertEquals("health", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("health", container.getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("HTTP", container.getReadinessProbe().getHttpGet().getScheme());
    assertEquals(
        Map.of("management", 9443, "health", 9080),
        container.getPorts().stream()
            .filter(p -> p.getName().equals("management") || p.getName().equals("health"))
            .collect(
                java.util.stream.Collectors.toMap(
                    p -> p.getName(), p -> p.getContainerPort())));
    assertEquals(
        "1", container.getResources().getRequests().get("cpu").toString(), "VpnGw2 resources");
    assertFalse(pod.getAutomountServiceAccountToken());
    assertEquals(
        List.of("net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_forward"),
        pod.getSecurityContext().getSysctls().stream().map(s -> s.getName()).toList());
    var tun =
        pod.getVolumes().stream().filter(v -> v.getName().equals("tun")).findFirst().orElseThrow();
    assertEquals("/dev/net/tun", tun.getHostPath().getPath());
    assertEquals("CharDevice", tun.getHostPath().getType());
    List<VolumeProjection> sources =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("config"))
            .findFirst()
            .orElseThrow()
            .getProjected()
            .getSources();
    assertEquals(
        List.of("gw-config", "gw-ca", "gw-server-tls", "gw-crl"),
        sources.stream().map(s -> s.getSecret().getName()).toList());
    assertEquals(
        List.of("ca.crt"),
        sources.get(1).getSecret().getItems().stream().map(i -> i.getKey()).toList(),
        "the CA key is never mounted");
  }

  /** Which spec changes need a pod restart: only the hash-covered ones change the pod template. */
  static Stream<Arguments> specChanges() {
    return Stream.of(
        Arguments.of(
            "routes",
            (java.util.function.Consumer<VpnGateway>)
                g -> {
                  g.getSpec().routing = new Routing();
                  g.getSpec().routing.routes = List.of("10.96.0.0/12");
                },
            false),
        Arguments.of(
            "dns servers",
            (java.util.function.Consumer<VpnGateway>)
                g -> {
                  g.getSpec().dns = new io.vpngateway.api.v1alpha1.spec.Dns();
                  g.getSpec().dns.servers = List.of("1.1.1.1");
                },
            false),
        Arguments.of(
            "maxConnections",
            (java.util.function.Consumer<VpnGateway>) g -> g.getSpec().maxConnections = 99,
            false),
        Arguments.of(
            "oidc web sign-in on",
            (java.util.function.Consumer<VpnGateway>) GatewayDependentsTest::withOidcWebSignIn,
            false),
        Arguments.of(
            "protocols",
            (java.util.function.Consumer<VpnGateway>)
                g -> g.getSpec().protocols = List.of(VpnProtocol.OpenVPN, VpnProtocol.SSTP),
            true),
        Arguments.of(
            "pool layout",
            (java.util.function.Consumer<VpnGateway>)
                g -> g.getSpec().clientAddressPools.get(0).cidr = "10.9.0.0/24",
            true),
        Arguments.of(
            "replicas",
            (java.util.function.Consumer<VpnGateway>) g -> g.getSpec().replicas = 2,
            true));
  }

  @ParameterizedTest(name = "{0} restarts pods: {2}")
  @MethodSource("specChanges")
  void onlyRestartNeedingChangesChangeTheRestartHash(
      String what, java.util.function.Consumer<VpnGateway> change, boolean restarts) {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    String before = GatewayConfigRenderer.render(gw, DEFAULTS).restartFingerprint();
    change.accept(gw);
    String after = GatewayConfigRenderer.render(gw, DEFAULTS).restartFingerprint();
    assertEquals(restarts, !Hashes.shortSha256(before).equals(Hashes.shortSha256(after)), what);
  }

  static Stream<Arguments> protocolPorts() {
    return Stream.of(
        Arguments.of(List.of(VpnProtocol.OpenVPN), List.of("UDP/1194", "TCP/443")),
        Arguments.of(List.of(VpnProtocol.IKEv2), List.of("UDP/500", "UDP/4500")),
        Arguments.of(List.of(VpnProtocol.SSTP), List.of("TCP/443")),
        Arguments.of(
            List.of(VpnProtocol.OpenVPN, VpnProtocol.SSTP), List.of("UDP/1194", "TCP/443")),
        Arguments.of(
            List.of(VpnProtocol.OpenVPN, VpnProtocol.IKEv2, VpnProtocol.SSTP),
            List.of("UDP/1194", "TCP/443", "UDP/500", "UDP/4500")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("protocolPorts")
  void serviceExposesThePortsOfTheEnabledProtocols(
      List<VpnProtocol> protocols, List<String> ports) {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    gw.getSpec().protocols = protocols;
    Service svc = new VpnGatewayServiceDependentResource().desired(gw, context(gw));
    assertEquals(
        ports,
        svc.getSpec().getPorts().stream().map(p -> p.getProtocol() + "/" + p.getPort()).toList());
    assertEquals("LoadBalancer", svc.getSpec().getType());
    assertEquals("ClientIP", svc.getSpec().getSessionAffinity());
  }

  static void withOidcWebSignIn(VpnGateway g) {
    g.getSpec().authentication = new io.vpngateway.api.v1alpha1.spec.Authentication();
    var oidc = new io.vpngateway.api.v1alpha1.spec.OidcAuthentication();
    oidc.issuerUrl = "https://login.example.com/realms/corp";
    oidc.audience = "vpn";
    oidc.clientId = "vpn-web";
    oidc.callbackPort = 8443;
    g.getSpec().authentication.oidc = oidc;
  }

  @Test
  void oidcWebSignInAddsItsPortToTheServiceButNotToThePods() {
    VpnGateway plain = TestGateways.openVpn("gw", 1);
    VpnGateway oidc = TestGateways.openVpn("gw", 1);
    withOidcWebSignIn(oidc);
    Service svc = new VpnGatewayServiceDependentResource().desired(oidc, context(oidc));
    var port =
        svc.getSpec().getPorts().stream()
            .filter(p -> p.getName().equals("oidc-sign-in"))
            .findFirst()
            .orElseThrow();
    assertEquals("TCP", port.getProtocol());
    assertEquals(8443, port.getPort());
    assertEquals(8443, port.getTargetPort().getIntVal(), "by number: no container port needed");
    assertEquals(
        new VpnGatewayStatefulSetDependentResource().desired(plain, context(plain)).getSpec(),
        new VpnGatewayStatefulSetDependentResource().desired(oidc, context(oidc)).getSpec(),
        "turning web sign-in on must not change the pod template (no restart)");
    oidc.getSpec().authentication.oidc.clientId = null;
    assertTrue(
        new VpnGatewayServiceDependentResource()
            .desired(oidc, context(oidc)).getSpec().getPorts().stream()
            .noneMatch(p -> p.getName().equals("oidc-sign-in")),
        "tokens only: no sign-in endpoint");
  }

  @Test
  void serviceFollowsTheServiceSpec() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    gw.getSpec().service = new ServiceSpec();
    gw.getSpec().service.type = ServiceSpec.Type.NodePort;
    gw.getSpec().service.externalTrafficPolicy = ServiceSpec.TrafficPolicy.Local;
    gw.getSpec().service.annotations = Map.of("lb.example/kind", "nlb");
    Service svc = new VpnGatewayServiceDependentResource().desired(gw, context(gw));
    assertEquals("NodePort", svc.getSpec().getType());
    assertEquals("Local", svc.getSpec().getExternalTrafficPolicy());
    assertEquals("nlb", svc.getMetadata().getAnnotations().get("lb.example/kind"));
  }

  @Test
  void podDisruptionBudgetOnlyWithSeveralReplicas() {
    VpnGateway two = TestGateways.openVpn("gw", 2);
    PodDisruptionBudget pdb =
        new VpnGatewayPodDisruptionBudgetDependentResource().desired(two, context(two));
    assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
    assertEquals(
        Map.of("app.kubernetes.io/name", "vpngateway", "app.kubernetes.io/instance", "gw"),
        pdb.getSpec().getSelector().getMatchLabels());
    assertTrue(new MultipleReplicasCondition().isMet(null, two, null));
    assertFalse(new MultipleReplicasCondition().isMet(null, TestGateways.openVpn("gw", 1), null));
    VpnGateway bySku = TestGateways.openVpn("gw", 1);
    bySku.getSpec().replicas = null;
    bySku.getSpec().sku = Sku.VpnGw2;
    assertTrue(new MultipleReplicasCondition().isMet(null, bySku, null), "VpnGw2 runs 2 replicas");
  }

  @Test
  void existingMaterialIsKeptByteForByte() {
    VpnGateway gw = TestGateways.openVpn("gw", 1);
    FakeContext<VpnGateway> context = context(gw);
    Secret ca = new VpnGatewayCaSecretDependentResource().desired(gw, context);
    Secret server = new VpnGatewayServerSecretDependentResource().desired(gw, context);
    Secret crl = new VpnGatewayCrlSecretDependentResource().desired(gw, context);
    ServerNames names = GatewayServerNames.of(gw, "gw", "203.0.113.7", "cluster.local");
    GatewayCertificates certificates = new GatewayCertificates(CONFIG.pki());
    var again =
        certificates.prepare(
            gw,
            Optional.of(ca),
            Optional.of(server),
            Optional.of(crl),
            Optional.empty(),
            io.vpngateway.api.config.GatewayConfig.Files.defaults(),
            Optional.of(names),
            NOW.plusSeconds(60));
    assertEquals(inputsOf(context).certificates().caKeyPem(), again.caKeyPem());
    assertEquals(inputsOf(context).certificates().server(), again.server());
    assertEquals(inputsOf(context).certificates().crlPem(), again.crlPem());
    assertEquals(
        inputsOf(context).certificates().tlsCryptV2ServerKeyPem(), again.tlsCryptV2ServerKeyPem());

    // a new endpoint re-issues the server certificate from the same CA
    var moved =
        certificates.prepare(
            gw,
            Optional.of(ca),
            Optional.of(server),
            Optional.of(crl),
            Optional.empty(),
            io.vpngateway.api.config.GatewayConfig.Files.defaults(),
            Optional.of(GatewayServerNames.of(gw, "gw", "198.51.100.9", "cluster.local")),
            NOW.plusSeconds(60));
    assertEquals(again.caKeyPem(), moved.caKeyPem());
    assertNotEquals(again.server(), moved.server());
    // near nextUpdate the CRL is re-signed, keeping its entries
    var later =
        certificates.prepare(
            gw,
            Optional.of(ca),
            Optional.of(server),
            Optional.of(crl),
            Optional.empty(),
            io.vpngateway.api.config.GatewayConfig.Files.defaults(),
            Optional.of(names),
            NOW.plus(java.time.Duration.ofDays(6)));
    assertNotEquals(again.crlPem(), later.crlPem());
  }

  @Test
  void networkPolicyAdmitsOnlyTheOperatorToTheManagementPort() {
    VpnGateway gw = TestGateways.openVpn("gw", 2);
    var policy = new VpnGatewayNetworkPolicyDependentResource().desired(gw, context(gw));
    assertEquals(
        io.vpngateway.operator.support.Labels.selector("gw"),
        policy.getSpec().getPodSelector().getMatchLabels(),
        "the gateway's pods");
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    var rules = policy.getSpec().getIngress();
    assertEquals(3, rules.size());
    // client ports and the health port: from anywhere (no from = every source)
    assertTrue(rules.get(0).getFrom().isEmpty() && rules.get(1).getFrom().isEmpty());
    assertEquals(
        List.of("UDP/1194", "TCP/443"),
        rules.get(0).getPorts().stream()
            .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
            .toList());
    assertEquals(9080, rules.get(1).getPorts().get(0).getPort().getIntVal());
    // the management port: only the operator's pods in the operator's namespace
    var management = rules.get(2);
    assertEquals(9443, management.getPorts().get(0).getPort().getIntVal());
    assertEquals(1, management.getFrom().size());
    var peer = management.getFrom().get(0);
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "vpngateway-system"),
        peer.getNamespaceSelector().getMatchLabels());
    assertEquals(
        Map.of(
            "app.kubernetes.io/name", "vpngateway-operator",
            "app.kubernetes.io/instance", "vpngw"),
        peer.getPodSelector().getMatchLabels());
    assertTrue(
        rules.stream()
            .filter(r -> r.getFrom().isEmpty())
            .flatMap(r -> r.getPorts().stream())
            .noneMatch(p -> p.getPort().getIntVal() == 9443),
        "the management port is in no rule open to all");
  }

  private static GatewayInputs inputsOf(FakeContext<VpnGateway> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(GatewayInputs.KEY.name(), GatewayInputs.class);
  }
}
