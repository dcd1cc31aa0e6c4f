package io.vpngateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.ConfigError;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryLoaderTest {
  @TempDir Path dir;

  private final ConfigDirectoryLoader loader = new ConfigDirectoryLoader();

  @Test
  void loadsAPreparedDirectory() throws Exception {
    GatewayFixture.preparedState(dir);

    RuntimeConfig config = loader.load(dir);

    assertEquals("minimal", config.document().gateway().name());
    assertEquals(1, config.serverCertificateChain().size());
    assertTrue(config.crl().isPresent());
    assertTrue(config.tlsCryptV2ServerKey().isPresent());
    assertTrue(config.authTokenKey().orElseThrow().length() >= 32);
    assertEquals(List.of(config.caCertificate()), config.clientTrustAnchors());
    assertEquals(ConfigDirectoryLoader.fingerprint(dir), config.fingerprint());
    assertFalse(config.toString().contains("BEGIN"), "toString must not print key material");
  }

  @Test
  void malformedCertificateNamesTheFile() throws Exception {
    GatewayFixture.preparedState(dir);
    Files.writeString(
        dir.resolve("server.crt"),
        "-----BEGIN CERTIFICATE-----\nnot base64!\n" + "-----END CERTIFICATE-----\n");

    assertOnlyErrorIn("server.crt", "not a PEM certificate");
  }

  @Test
  void keyOfAnotherCertificateIsRejected() throws Exception {
    GatewayFixture.preparedState(dir);
    CertificateAuthority other =
        CertificateAuthority.create("other", KeySpec.EC_P256, Instant.now());
    IssuedCertificate foreign =
        other.issueServerCertificate(
            new ServerCertificateRequest(
                "x", List.of("x.example"), List.of(), KeySpec.EC_P256, Duration.ofDays(10)),
            Instant.now());
    Files.writeString(dir.resolve("server.key"), foreign.privateKeyPem());

    assertOnlyErrorIn("server.key", "does not belong to the server certificate");
  }

  @Test
  void expiredServerCertificateIsRejected() throws Exception {
    GatewayFixture.preparedState(dir);
    ConfigDirectoryLoader later =
        new ConfigDirectoryLoader(
            Clock.fixed(Instant.now().plus(Duration.ofDays(500)), ZoneOffset.UTC));

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> later.load(dir));

    assertTrue(
        e.errors().stream()
            .anyMatch(err -> err.field().equals("server.crt") && err.message().contains("expired")),
        e.getMessage());
  }

  @Test
  void crlOfAnotherCaIsRejected() throws Exception {
    GatewayFixture.preparedState(dir);
    CertificateAuthority other =
        CertificateAuthority.create("other", KeySpec.EC_P256, Instant.now());
    Files.writeString(
        dir.resolve("crl.pem"),
        Pem.encode(
            other.issueCrl(
                List.of(),
                java.math.BigInteger.ONE,
                Instant.now(),
                Instant.now().plus(Duration.ofDays(1)))));

    assertOnlyErrorIn("crl.pem", "not signed by the CA");
  }

  @Test
  void missingAndShortSecretsAreNamed() throws Exception {
    GatewayFixture.preparedState(dir);
    Files.delete(dir.resolve("auth-token.key"));
    Files.writeString(dir.resolve("management.token"), "short\n");

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> loader.load(dir));

    List<String> fields = e.errors().stream().map(ConfigError::field).toList();
    assertEquals(List.of("auth-token.key", "management.token"), fields, e.getMessage());
  }

  @Test
  void badTlsCryptKeyIsNamed() throws Exception {
    GatewayFixture.preparedState(dir);
    Files.writeString(dir.resolve("tls-crypt-v2-server.key"), "garbage\n");

    assertOnlyErrorIn("tls-crypt-v2-server.key", "tls-crypt-v2");
  }

  @Test
  void invalidDocumentNamesConfigYamlAndTheField() throws Exception {
    GatewayFixture.preparedState(dir);
    String yaml = Files.readString(dir.resolve("config.yaml"));
    Files.writeString(
        dir.resolve("config.yaml"), yaml.replace("maxConnections: 250", "maxConnections: 0"));

    assertOnlyErrorIn("config.yaml: maxConnections", "at least 1");
  }

  @Test
  void errorsNeverContainSecretValues() throws Exception {
    GatewayFixture.preparedState(dir);
    String token = Files.readString(dir.resolve("management.token"));
    Files.writeString(
        dir.resolve("server.key"),
        "-----BEGIN PRIVATE KEY-----\n" + token + "\n-----END PRIVATE KEY-----\n");

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> loader.load(dir));

    assertFalse(e.getMessage().contains(token.trim()), e.getMessage());
  }

  @Test
  void oidcClientSecretAndIssuerRootsAreLoadedAndAMissingOneIsNamed() throws Exception {
    GatewayFixture.preparedState(dir);
    GatewayConfig doc = GatewayConfigCodec.read(Files.readString(dir.resolve("config.yaml")));
    GatewayConfig.Oidc oidc =
        new GatewayConfig.Oidc(
            "https://idp.example.com/realms/corp",
            "vpn",
            "vpn-web",
            "groups",
            List.of(),
            "oidc-client.secret",
            "oidc-issuer-ca.crt",
            List.of("openid"),
            null,
            8443,
            300_000,
            60_000);
    GatewayConfig withOidc =
        doc.withAuthentication(
            doc.authentication().withOidc(oidc));
    Files.writeString(dir.resolve("config.yaml"), GatewayConfigCodec.write(withOidc));
    CertificateAuthority idpCa =
        CertificateAuthority.create("idp", KeySpec.EC_P256, Instant.now());
    Files.writeString(dir.resolve("oidc-issuer-ca.crt"), idpCa.certificatePem());

    assertOnlyErrorIn("oidc-client.secret", "");

    Files.writeString(dir.resolve("oidc-client.secret"), "s3cret-value\n");
    RuntimeConfig config = loader.load(dir);
    assertEquals(List.of(idpCa.certificate()), config.oidcFiles().issuerRoots());
    assertTrue(config.oidcFiles().clientSecret().orElseThrow().matches("s3cret-value".getBytes()));
    assertTrue(ConfigDirectoryLoader.namedFiles(withOidc).contains("oidc-client.secret"));
  }

  private void assertOnlyErrorIn(String field, String messagePart) {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> loader.load(dir));
    Optional<ConfigError> error = e.errors().stream().findFirst();
    assertEquals(1, e.errors().size(), e.getMessage());
    assertEquals(field, error.orElseThrow().field(), e.getMessage());
    assertTrue(error.get().message().contains(messagePart), e.getMessage());
  }
}
