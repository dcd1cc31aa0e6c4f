package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthTokensTest {
  private final AuthTokens tokens = new AuthTokens(new byte[32], Duration.ofHours(1));
  private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void validUntilExpiryOnAnyReplicaWithTheSecret() {
    String t = tokens.issue("alice", now);
    AuthTokens replica = new AuthTokens(new byte[32], Duration.ofHours(1));
    assertEquals(AuthTokens.Verdict.VALID, replica.verify(t, now.plusSeconds(60)).verdict());
    assertEquals("alice", replica.verify(t, now).name().orElseThrow());
    assertEquals(AuthTokens.Verdict.EXPIRED, tokens.verify(t, now.plusSeconds(7200)).verdict());
  }

  @Test
  void tamperedOrForeignTokensAreForged() {
    String t = tokens.issue("alice", now);
    String other = new AuthTokens("x".repeat(32).getBytes(), Duration.ofHours(1))
        .issue("alice", now);
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(other, now).verdict());
    String longer = t.replace(".", ".") .substring(0, t.indexOf('.', 5)) + "X" + t.substring(
        t.indexOf('.', 5));
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(longer, now).verdict());
    assertEquals(AuthTokens.Verdict.NOT_A_TOKEN, tokens.verify("hunter2", now).verdict());
  }
}
