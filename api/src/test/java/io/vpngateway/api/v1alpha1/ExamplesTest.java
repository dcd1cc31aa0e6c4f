package io.vpngateway.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.GatewayConfigValidator;
import io.vpngateway.api.config.RenderDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every CR in {@code examples/} is valid against the committed CRD schema and renders cleanly. */
class ExamplesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path EXAMPLES = Path.of("../examples");

  static Stream<Path> customResources() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> read(p).path("apiVersion").asText().startsWith(ApiGroup.NAME + "/"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("customResources")
  void exampleMatchesTheCrdSchema(Path example) {
    JsonNode cr = read(example);
    String plural = cr.path("kind").asText().equals("VpnGateway") ? "vpngateways" : "clientcertificates";
    JsonSchema schema = schemaOf(plural);
    Set<ValidationMessage> problems = schema.validate(cr);
    assertTrue(problems.isEmpty(), example + " does not match the CRD: " + problems);
  }

  @ParameterizedTest
  @MethodSource("customResources")
  void gatewayExampleRendersAValidConfig(Path example) throws IOException {
    if (!read(example).path("kind").asText().equals("VpnGateway")) {
      return;
    }
    VpnGateway gw = Serialization.unmarshal(read(example).toString(), VpnGateway.class);
    GatewayConfig config =
        GatewayConfigRenderer.render(gw, new RenderDefaults("10.96.0.10", "cluster.local"));
    assertEquals(java.util.List.of(), GatewayConfigValidator.validate(config));
  }

  @Test
  void theRadiusExampleRequiresCertificateAndPasswordSoItsProfilesAskForAPassword() {
    VpnGateway gw = Serialization.unmarshal(
        read(EXAMPLES.resolve("gateway-radius.yaml")).toString(), VpnGateway.class);
    GatewayConfig config =
        GatewayConfigRenderer.render(gw, new RenderDefaults("10.96.0.10", "cluster.local"));
    assertTrue(config.authentication().requireCertificateAndPassword());
    assertEquals("MSCHAPv2", config.authentication().radius().passwordProtocol());
    assertEquals(60_000, config.authentication().radius().servers().get(1).timeoutMillis());
    assertEquals(io.vpngateway.api.profile.PasswordAuthentication.RADIUS,
        io.vpngateway.api.profile.ClientIssuance.passwordAuthentication(config));
    VpnGateway minimal = Serialization.unmarshal(
        read(EXAMPLES.resolve("gateway-minimal.yaml")).toString(), VpnGateway.class);
    assertEquals(io.vpngateway.api.profile.PasswordAuthentication.NONE,
        io.vpngateway.api.profile.ClientIssuance.passwordAuthentication(GatewayConfigRenderer
            .render(minimal, new RenderDefaults("10.96.0.10", "cluster.local"))));
  }

  @Test
  void theOidcExampleSignsInOnTheWebAndItsClientSecretComesFromTheSameFile() throws IOException {
    VpnGateway gw = Serialization.unmarshal(
        read(EXAMPLES.resolve("gateway-oidc.yaml")).toString(), VpnGateway.class);
    GatewayConfig config =
        GatewayConfigRenderer.render(gw, new RenderDefaults("10.96.0.10", "cluster.local"));
    GatewayConfig.Oidc oidc = config.authentication().oidc();
    assertTrue(config.authentication().requireCertificateAndPassword());
    assertTrue(oidc.webSignIn(), "clientId set: web sign-in is on");
    assertEquals("vpn-gateway", oidc.audience());
    assertEquals(java.util.List.of("engineering", "admins"), oidc.allowedGroups());
    assertEquals(8443, oidc.effectiveCallbackPort());
    assertEquals(300_000, oidc.signInTimeoutMillis());
    assertEquals(GatewayConfigRenderer.OIDC_CLIENT_SECRET_FILE, oidc.clientSecretFile());
    assertEquals(null, oidc.issuerCaFile(), "a public issuer: no private CA file");
    assertEquals(io.vpngateway.api.profile.PasswordAuthentication.OIDC,
        io.vpngateway.api.profile.ClientIssuance.passwordAuthentication(config));
    // the Secret it references is the file's second document, under the default key
    var refs = io.vpngateway.api.config.SecretReferences.of(gw.getSpec());
    assertEquals(1, refs.size(), refs.toString());
    assertEquals("oidc-client-secret", refs.get(0).secret());
    JsonNode secret = null;
    for (JsonNode doc : YAML.readerFor(JsonNode.class)
        .<JsonNode>readValues(YAML.getFactory().createParser(
            EXAMPLES.resolve("gateway-oidc.yaml").toFile())).readAll()) {
      if ("Secret".equals(doc.path("kind").asText())) {
        secret = doc;
      }
    }
    assertTrue(secret != null, "the Secret travels in the same file");
    assertEquals(refs.get(0).secret(), secret.path("metadata").path("name").asText());
    assertFalse(secret.path("stringData").path(refs.get(0).key()).asText().isBlank());
  }

  @Test
  void schemaCatchesAWrongExample() {
    JsonNode bad = read(EXAMPLES.resolve("gateway-minimal.yaml")).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) bad.path("spec").path("clientAddressPools").get(0))
        .put("cidr", "10.200.0.0/33");
    ((com.fasterxml.jackson.databind.node.ObjectNode) bad.path("spec")).putArray("protocols").add("WireGuard");
    Set<ValidationMessage> problems = schemaOf("vpngateways").validate(bad);
    assertFalse(problems.isEmpty());
    assertTrue(problems.toString().contains("cidr"), problems.toString());
    assertTrue(problems.toString().contains("protocols"), problems.toString());
  }

  private static JsonSchema schemaOf(String plural) {
    JsonNode crd = read(Path.of("../crds/" + plural + "." + ApiGroup.NAME + ".yaml"));
    JsonNode openApi = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
  }

  /**
   * The file's custom resource: its first document of our API group (an example may carry the
   * Secrets it references as further documents, as {@code kubectl apply -f} and {@code vpngw serve
   * -f} take them).
   */
  private static JsonNode read(Path file) {
    try {
      for (JsonNode doc : YAML.readerFor(JsonNode.class)
          .<JsonNode>readValues(YAML.getFactory().createParser(file.toFile())).readAll()) {
        if (doc != null && doc.path("apiVersion").asText().startsWith(ApiGroup.NAME + "/")) {
          return doc;
        }
      }
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }
}
