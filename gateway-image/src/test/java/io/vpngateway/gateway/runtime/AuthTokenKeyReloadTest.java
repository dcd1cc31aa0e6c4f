package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.auth.token.AuthTokens.Verdict;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.ReloadOutcome;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the auth-token key in the config directory (a suspected leak) and reloading: the
 * gateway's pipeline, built as {@link Gateway} builds it, refuses the replaced key's tokens from
 * the reload on and issues under the new key. Before, the key was read at start only, and the old
 * one went on issuing and accepting tokens, without a word, until a restart.
 */
class AuthTokenKeyReloadTest {
  private final Instant now = Instant.now();
  @TempDir Path dir;

  @Test
  void aReplacedKeyRefusesTheOldKeysTokensFromTheReloadOn() throws Exception {
    GatewayFixture.preparedState(dir);
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    CertificateTrust trust = new CertificateTrust(source.current(), new SessionRegistry());
    source.addListener(trust);
    AuthenticationPipeline pipeline = Authentications.pipeline(source, trust, null, null);
    AuthTokens tokens = pipeline.authTokens().orElseThrow();
    String underOldKey = tokens.issue("alice", now);
    assertEquals(Verdict.VALID, tokens.verify(underOldKey, now).verdict());

    // an unchanged key survives a reload of something else
    Path document = dir.resolve("config.yaml");
    Files.writeString(document, Files.readString(document) + "\n# touched\n");
    assertEquals(ReloadOutcome.Result.APPLIED, source.reload().result());
    assertEquals(Verdict.VALID, tokens.verify(underOldKey, now).verdict());

    byte[] newKey = new byte[48];
    new SecureRandom().nextBytes(newKey);
    Path keyFile = dir.resolve(source.current().document().files().authTokenKey());
    Files.writeString(keyFile, Base64.getUrlEncoder().withoutPadding().encodeToString(newKey));
    ReloadOutcome outcome = source.reload();
    assertEquals(ReloadOutcome.Result.APPLIED, outcome.result(), outcome.message());

    assertEquals(Verdict.FORGED, tokens.verify(underOldKey, now).verdict(),
        "a token of the replaced key after the reload");
    // a replica with the same config derives the same key (Authentications.tokenKey)
    byte[] derived = Authentications.tokenKey(source.current()).orElseThrow();
    AuthTokens replicaWithNewKey = new AuthTokens(derived, Duration.ofHours(1));
    assertEquals(Verdict.VALID,
        tokens.verify(replicaWithNewKey.issue("bob", now), now).verdict());
    assertEquals(Verdict.VALID,
        replicaWithNewKey.verify(tokens.issue("carol", now), now).verdict());
  }
  /**
   * A reload that turns RADIUS off (the gateway keeps its other methods) refuses the tokens issued
   * before it: a RADIUS login's token records "a password", not "RADIUS", so its holder, whose
   * live session the reload ended, came back with it and was admitted until it expired. A reload
   * of something else keeps them; a replica with the same config accepts what this one issues.
   */
  @Test
  void aReloadTurningRadiusOffRefusesTheTokensIssuedBeforeIt() throws Exception {
    GatewayFixture.preparedState(dir);
    Path document = dir.resolve("config.yaml");
    String certificateOnly = Files.readString(document);
    ObjectNode tree = (ObjectNode) YAML.readTree(certificateOnly);
    addRadius((ObjectNode) tree.path("authentication"));
    Files.writeString(dir.resolve("radius-test.secret"), "radius-test-secret");
    Files.writeString(document, YAML.writeValueAsString(tree));
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    CertificateTrust trust = new CertificateTrust(source.current(), new SessionRegistry());
    source.addListener(trust);
    AuthenticationPipeline pipeline = Authentications.pipeline(source, trust, null, null);
    AuthTokens tokens = pipeline.authTokens().orElseThrow();
    String radiusLogins = tokens.issue("bob", List.of("ops"), now);
    String certificateLogins =
        tokens.issue("carol", List.of(), now, Optional.empty(), AuthTokens.Proven.CERTIFICATE);

    Files.writeString(document, YAML.writeValueAsString(tree) + "\n# touched\n");
    assertEquals(ReloadOutcome.Result.APPLIED, source.reload().result());
    assertEquals(Verdict.VALID, tokens.verify(radiusLogins, now).verdict(),
        "a reload of something else keeps the tokens");

    ((ObjectNode) tree.path("authentication")).remove("radius");
    Files.writeString(document, YAML.writeValueAsString(tree));
    ReloadOutcome off = source.reload();
    assertEquals(ReloadOutcome.Result.APPLIED, off.result(), off.message());
    assertEquals(Verdict.FORGED, tokens.verify(radiusLogins, now).verdict(),
        "a token issued while RADIUS was on, after the reload turning it off");
    assertEquals(Verdict.FORGED, tokens.verify(certificateLogins, now).verdict(),
        "every token issued before is refused (its client signs in again)");
    String afterwards = tokens.issue("carol", List.of(), now, Optional.empty(),
        AuthTokens.Proven.CERTIFICATE);
    assertEquals(Verdict.VALID, tokens.verify(afterwards, now).verdict());

    // a replica started on the config as it is now accepts this one's tokens, and the reverse
    ConfigSource replica = ConfigSource.open(dir, new ConfigDirectoryLoader());
    AuthTokens replicaTokens = Authentications.pipeline(replica,
        new CertificateTrust(replica.current(), new SessionRegistry()), null, null)
        .authTokens().orElseThrow();
    assertEquals(Verdict.VALID, replicaTokens.verify(afterwards, now).verdict());
    assertEquals(Verdict.VALID, tokens.verify(replicaTokens.issue("dave", now), now).verdict());
    assertEquals(Verdict.FORGED, replicaTokens.verify(radiusLogins, now).verdict());
  }

  @Test
  void theDerivedKeyFollowsTheConfiguredKeyAndThePasswordMethodsOn() throws Exception {
    GatewayFixture.preparedState(dir);
    Path document = dir.resolve("config.yaml");
    ConfigSource certificateOnly = ConfigSource.open(dir, new ConfigDirectoryLoader());
    byte[] configured = certificateOnly.current().authTokenKey().orElseThrow().bytes();
    byte[] derived = Authentications.tokenKey(certificateOnly.current()).orElseThrow();
    assertEquals(32, derived.length);
    assertFalse(Arrays.equals(configured, derived), "the configured key itself MACs no token");
    assertArrayEquals(derived, Authentications.tokenKey(certificateOnly.current()).orElseThrow());

    ObjectNode tree = (ObjectNode) YAML.readTree(Files.readString(document));
    addRadius((ObjectNode) tree.path("authentication"));
    Files.writeString(dir.resolve("radius-test.secret"), "radius-test-secret");
    Files.writeString(document, YAML.writeValueAsString(tree));
    ConfigSource withRadius = ConfigSource.open(dir, new ConfigDirectoryLoader());
    assertEquals(Set.of("radius"), Authentications.passwordMethodsOn(withRadius.current()));
    assertFalse(Arrays.equals(derived,
        Authentications.tokenKey(withRadius.current()).orElseThrow()));
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A RADIUS section (no server is asked here: the pipeline is built without the service). */
  private static void addRadius(ObjectNode auth) {
    ObjectNode radius = auth.putObject("radius");
    radius.putArray("servers").addObject().put("address", "127.0.0.1").put("port", 1812)
        .put("secretFile", "radius-test.secret").put("priority", 0)
        .put("accountingPort", 1813).put("timeoutMillis", 1000);
    radius.put("timeoutMillis", 1000).put("retries", 0).put("groupAttribute", "Class")
        .put("passwordProtocol", "PAP").put("requireMessageAuthenticator", false)
        .put("accountingInterimIntervalMillis", 0);
  }
}
