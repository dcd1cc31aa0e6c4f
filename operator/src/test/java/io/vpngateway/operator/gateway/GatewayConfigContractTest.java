package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.vpngateway.api.config.ConfigError;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.Authentication;
import io.vpngateway.api.v1alpha1.spec.CertificateAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusServer;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.operator.support.FakeContext;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator→gateway contract: the Secrets the real dependents render, laid out exactly as the
 * StatefulSet's projected volume mounts them, load in the gateway's own {@link
 * ConfigDirectoryLoader}. A file name, key or format that drifts on either side fails here.
 */
class GatewayConfigContractTest {
  static final Instant NOW = GatewayDependentsTest.NOW;
  static final Clock AFTER_ISSUE = Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC);
  static final CertificateAuthority CORP_ROOT =
      CertificateAuthority.create("corp", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));

  @TempDir Path mount;

  /** OpenVPN with a trusted external root and two RADIUS servers: every kind of file. */
  static VpnGateway gateway() {
    VpnGateway gw = TestGateways.openVpn("gw", 2);
    gw.getSpec().authentication = new Authentication();
    gw.getSpec().authentication.certificate = new CertificateAuthentication();
    gw.getSpec().authentication.certificate.trustedRoots =
        List.of(new io.vpngateway.api.v1alpha1.spec.TrustedRoot("corp-ca", null, true));
    gw.getSpec().authentication.radius = new RadiusAuthentication();
    gw.getSpec().authentication.radius.servers =
        List.of(radius("10.0.0.5", "radius-a"), radius("10.0.0.6", "radius-b"));
    return gw;
  }

  static RadiusServer radius(String address, String secret) {
    RadiusServer server = new RadiusServer();
    server.address = address;
    server.secretRef = new SecretKeyRef(secret, null);
    return server;
  }

  /** The user's Secrets the gateway references, as the informer cache would hold them. */
  static Optional<Secret> userSecret(String name) {
    Map<String, String> data =
        switch (name) {
          case "corp-ca" -> Map.of("ca.crt", CORP_ROOT.certificatePem());
          case "radius-a" -> Map.of("secret", "radius-shared-secret-a");
          case "radius-b" -> Map.of("secret", "radius-shared-secret-b");
          default -> null;
        };
    return Optional.ofNullable(data)
        .map(
            d ->
                new SecretBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .endMetadata()
                    .withData(SecretData.encode(d))
                    .build());
  }

  /** What the reconciler prepares, then every Secret and the StatefulSet its dependents render. */
  record Rendered(GatewayInputs inputs, Map<String, Secret> secrets, StatefulSet statefulSet) {}

  static Rendered render(VpnGateway gw) {
    var resolution =
        ReferencedSecrets.resolve(
            ReferencedSecrets.of(gw.getSpec()), GatewayConfigContractTest::userSecret);
    assertTrue(resolution.complete(), resolution.missing().toString());
    GatewayInputs inputs = GatewayDependentsTest.inputs(gw, resolution.files());
    FakeContext<VpnGateway> context = FakeContext.with(GatewayInputs.KEY, inputs);
    Map<String, Secret> secrets =
        Stream.of(
                new VpnGatewayCaSecretDependentResource().desired(gw, context),
                new VpnGatewayServerSecretDependentResource().desired(gw, context),
                new VpnGatewayCrlSecretDependentResource().desired(gw, context),
                new VpnGatewayConfigSecretDependentResource().desired(gw, context))
            .collect(Collectors.toMap(s -> s.getMetadata().getName(), Function.identity()));
    return new Rendered(
        inputs, secrets, new VpnGatewayStatefulSetDependentResource().desired(gw, context));
  }

  /**
   * Writes the files the kubelet would: for each projected Secret, its listed items under their
   * paths, or every key under its own name when no items are listed.
   */
  static void project(StatefulSet sts, Map<String, Secret> secrets, Path dir) throws IOException {
    Volume config =
        sts.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("config"))
            .findFirst()
            .orElseThrow();
    for (VolumeProjection source : config.getProjected().getSources()) {
      String name = source.getSecret().getName();
      Secret secret = secrets.get(name);
      assertTrue(secret != null, "the pod mounts Secret " + name + ", which nobody renders");
      List<KeyToPath> items = source.getSecret().getItems();
      if (items == null || items.isEmpty()) {
        for (String key : secret.getData().keySet()) {
          write(dir.resolve(key), SecretData.bytes(secret, key).orElseThrow());
        }
      } else {
        for (KeyToPath item : items) {
          byte[] value =
              SecretData.bytes(secret, item.getKey())
                  .orElseThrow(
                      () ->
                          new AssertionError(name + " has no key " + item.getKey() + " to mount"));
          write(dir.resolve(item.getPath()), value);
        }
      }
    }
  }

  private static void write(Path file, byte[] value) throws IOException {
    assertTrue(Files.notExists(file), "two Secrets project " + file.getFileName());
    Files.write(file, value);
  }

  @Test
  void theMountedSecretsLoadInTheGateway() throws Exception {
    Rendered rendered = render(gateway());
    project(rendered.statefulSet(), rendered.secrets(), mount);

    assertEquals(
        new TreeSet<>(
            List.of(
                "config.yaml",
                "ca.crt",
                "server.crt",
                "server.key",
                "crl.pem",
                "tls-crypt-v2-server.key",
                "auth-token.key",
                "management.token",
                "management.crt",
                "management.key",
                "trusted-root-0.crt",
                "radius-0.secret",
                "radius-1.secret")),
        fileNames(mount));

    RuntimeConfig loaded = new ConfigDirectoryLoader(AFTER_ISSUE).load(mount);
    assertEquals(rendered.inputs().config(), loaded.document());
    assertEquals(
        rendered.inputs().certificates().caCertificatePem().strip(),
        Pem.encode(loaded.caCertificate()).strip());
    assertTrue(loaded.crl().isPresent(), "the operator's CRL is loaded");
    assertTrue(loaded.tlsCryptV2ServerKey().isPresent());
    assertTrue(loaded.authTokenKey().isPresent());
    // the management certificate the operator issued loads: its CA is the mounted ca.crt
    assertTrue(loaded.managementTls().isPresent(), "the management API serves TLS");
    assertEquals(List.of(CORP_ROOT.certificate()), loaded.trustedRoots());
    assertEquals(
        List.of("trusted-root-0.crt"),
        loaded.document().authentication().certificate().trustedRootsWithGroups(),
        "trustGroups reaches the gateway");
    assertEquals(
        new TreeSet<>(List.of("radius-0.secret", "radius-1.secret")),
        new TreeSet<>(loaded.radiusSecrets().keySet()));
  }

  @Test
  void aCrlFromAnotherCaFailsNamingTheFile() throws Exception {
    Rendered rendered = render(gateway());
    project(rendered.statefulSet(), rendered.secrets(), mount);
    CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256, NOW);
    Files.writeString(
        mount.resolve("crl.pem"),
        Pem.encode(other.issueCrl(List.of(), BigInteger.ONE, NOW, NOW.plus(Duration.ofDays(7)))),
        StandardCharsets.US_ASCII);

    InvalidConfigException e =
        assertThrows(
            InvalidConfigException.class, () -> new ConfigDirectoryLoader(AFTER_ISSUE).load(mount));
    assertEquals(List.of("crl.pem"), e.errors().stream().map(ConfigError::field).toList());
  }

  @Test
  void aMissingProjectedFileFailsNamingTheFile() throws Exception {
    Rendered rendered = render(gateway());
    project(rendered.statefulSet(), rendered.secrets(), mount);
    Files.delete(mount.resolve("radius-1.secret"));

    InvalidConfigException e =
        assertThrows(
            InvalidConfigException.class, () -> new ConfigDirectoryLoader(AFTER_ISSUE).load(mount));
    assertEquals(List.of("radius-1.secret"), e.errors().stream().map(ConfigError::field).toList());
  }

  private static TreeSet<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
