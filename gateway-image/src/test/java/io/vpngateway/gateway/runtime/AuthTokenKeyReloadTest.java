package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Base64;
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
    AuthTokens replicaWithNewKey = new AuthTokens(newKey, Duration.ofHours(1));
    assertEquals(Verdict.VALID,
        tokens.verify(replicaWithNewKey.issue("bob", now), now).verdict());
    assertEquals(Verdict.VALID,
        replicaWithNewKey.verify(tokens.issue("carol", now), now).verdict());
  }
}
