package io.vpngateway.gateway.auth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AuthTokensTest {
  private final AuthTokens tokens = new AuthTokens(new byte[32], Duration.ofHours(1));
  private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void validUntilExpiryOnAnyReplicaWithTheSecret() {
    String t = tokens.issue("alice", List.of("eng", "ops"), now);
    AuthTokens replica = new AuthTokens(new byte[32], Duration.ofHours(1));
    assertEquals(AuthTokens.Verdict.VALID, replica.verify(t, now.plusSeconds(60)).verdict());
    assertEquals("alice", replica.verify(t, now).name().orElseThrow());
    assertEquals(List.of("eng", "ops"), replica.verify(t, now).groups());
    assertEquals(AuthTokens.Verdict.EXPIRED, tokens.verify(t, now.plusSeconds(7200)).verdict());
    assertEquals(List.of(), tokens.verify(tokens.issue("bob", now), now).groups());
  }

  @Test
  void versionOneTokensStillVerify() throws Exception {
    String body =
        "vgw1."
            + Base64.getUrlEncoder().withoutPadding().encodeToString("alice".getBytes())
            + "."
            + now.getEpochSecond()
            + "."
            + now.plusSeconds(3600).getEpochSecond();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    String t =
        body
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    AuthTokens.Checked c = tokens.verify(t, now);
    assertEquals(AuthTokens.Verdict.VALID, c.verdict());
    assertEquals("alice", c.name().orElseThrow());
    assertEquals(List.of(), c.groups());
  }

  @Test
  void tamperedOrForeignTokensAreForged() {
    String t = tokens.issue("alice", now);
    String other =
        new AuthTokens("x".repeat(32).getBytes(), Duration.ofHours(1)).issue("alice", now);
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(other, now).verdict());
    String longer = t.substring(0, t.indexOf('.', 5)) + "X" + t.substring(t.indexOf('.', 5));
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(longer, now).verdict());
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify("vgw2.", now).verdict());
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(t + "!", now).verdict());
    assertEquals(AuthTokens.Verdict.NOT_A_TOKEN, tokens.verify("hunter2", now).verdict());
  }
}
