package io.vpngateway.gateway.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cheap reading of a config document's file names gives what the full codec gives for the same
 * document, and refuses what it cannot use.
 */
class ConfigFileNamesTest {
  @TempDir Path dir;

  private GatewayConfig prepared() throws Exception {
    GatewayFixture.preparedState(dir);
    return GatewayConfigCodec.read(Files.readString(dir.resolve("config.yaml")));
  }

  @Test
  void theNamesAreTheCodecsForAPreparedDocumentWithRadiusServers() throws Exception {
    GatewayConfig doc = prepared();
    GatewayConfig.Radius radius =
        new GatewayConfig.Radius(
            List.of(
                new GatewayConfig.RadiusServer("10.0.0.1", 1812, "radius-0.secret", 0, 0, 0),
                new GatewayConfig.RadiusServer("10.0.0.2", 1812, "radius-1.secret", 1, 0, 0)),
            3000,
            2,
            null,
            "PAP",
            true,
            0);
    GatewayConfig.Authentication a = doc.authentication();
    GatewayConfig withRadius =
        doc.withAuthentication(
            new GatewayConfig.Authentication(
                a.certificate(), radius, a.oidc(), a.requireCertificateAndPassword()));
    String yaml = GatewayConfigCodec.write(withRadius);

    ConfigFileNames names = ConfigFileNames.read(yaml);

    assertEquals(withRadius.files(), names.files());
    assertEquals(List.of("radius-0.secret", "radius-1.secret"), names.radiusSecretFiles());
    assertEquals(doc.files(), ConfigFileNames.read(GatewayConfigCodec.write(doc)).files());
    assertEquals(List.of(), ConfigFileNames.read(GatewayConfigCodec.write(doc)).radiusSecretFiles());
  }

  @Test
  void aDocumentWithoutTheCrlNameOrNotYamlIsRefusedWithTheReason() throws Exception {
    String yaml = GatewayConfigCodec.write(prepared());
    String withoutCrl = yaml.replaceAll("(?m)^  crl: .*\n", "");
    assertTrue(withoutCrl.length() < yaml.length(), "the document names its CRL");

    IllegalArgumentException noCrl =
        assertThrows(IllegalArgumentException.class, () -> ConfigFileNames.read(withoutCrl));
    assertEquals("files.crl is missing", noCrl.getMessage());
    IllegalArgumentException broken =
        assertThrows(IllegalArgumentException.class, () -> ConfigFileNames.read("files: [a, b"));
    assertTrue(broken.getMessage().startsWith("not a YAML document"), broken.getMessage());
    IllegalArgumentException list =
        assertThrows(IllegalArgumentException.class, () -> ConfigFileNames.read("- a\n- b\n"));
    assertEquals("document is not a mapping", list.getMessage());
  }
}
