package io.vpngateway.gateway.auth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

  /**
   * Two long-lived threads (the OpenVPN control thread and an authentication thread, say) have
   * issued and checked tokens under the old key; after a rekey on a third thread, both issue and
   * accept tokens under the new key only, and refuse every token of the old one. An HMAC engine
   * kept per thread with the key it was made with went on accepting the old key's tokens there.
   */
  @Test
  void aRekeyTakesEffectOnEveryThreadAtOnce() throws Exception {
    byte[] oldKey = new byte[32];
    byte[] newKey = new byte[32];
    Arrays.fill(newKey, (byte) 7);
    AuthTokens live = new AuthTokens(oldKey, Duration.ofHours(1));
    AuthTokens underNewKey = new AuthTokens(newKey, Duration.ofHours(1));
    ExecutorService control = Executors.newSingleThreadExecutor();
    ExecutorService authentication = Executors.newSingleThreadExecutor();
    try {
      List<String> oldTokens = new java.util.ArrayList<>();
      for (ExecutorService thread : List.of(control, authentication)) {
        String t = thread.submit(() -> live.issue("alice", now)).get(10, TimeUnit.SECONDS);
        assertEquals(AuthTokens.Verdict.VALID,
            thread.submit(() -> live.verify(t, now).verdict()).get(10, TimeUnit.SECONDS));
        oldTokens.add(t);
      }
      live.rekey(newKey);
      String fresh = underNewKey.issue("bob", now);
      for (ExecutorService thread : List.of(control, authentication)) {
        for (String old : oldTokens) {
          assertEquals(AuthTokens.Verdict.FORGED,
              thread.submit(() -> live.verify(old, now).verdict()).get(10, TimeUnit.SECONDS),
              "a token of the replaced key");
        }
        assertEquals(AuthTokens.Verdict.VALID,
            thread.submit(() -> live.verify(fresh, now).verdict()).get(10, TimeUnit.SECONDS));
        String issued = thread.submit(() -> live.issue("carol", now)).get(10, TimeUnit.SECONDS);
        assertEquals(AuthTokens.Verdict.VALID, underNewKey.verify(issued, now).verdict(),
            "issued under the new key");
      }
    } finally {
      control.shutdownNow();
      authentication.shutdownNow();
    }
  }

  @Test
  void aTokenIsCutShortByTheEndOfTheSignInItContinues() {
    Instant signInEnds = now.plusSeconds(600);
    String t = tokens.issue("alice", List.of("eng"), now, java.util.Optional.of(signInEnds));
    AuthTokens.Checked c = tokens.verify(t, now.plusSeconds(60));
    assertEquals(AuthTokens.Verdict.VALID, c.verdict());
    assertEquals(java.util.Optional.of(signInEnds), c.capped());
    assertEquals(AuthTokens.Verdict.EXPIRED, tokens.verify(t, now.plusSeconds(601)).verdict(),
        "no reconnect with our token past the sign-in's end");
    // a sign-in ending after the token's own lifetime changes nothing
    String later = tokens.issue("bob", List.of(), now, java.util.Optional.of(now.plusSeconds(7200)));
    assertEquals(java.util.Optional.empty(), tokens.verify(later, now).capped());
    assertEquals(AuthTokens.Verdict.EXPIRED, tokens.verify(later, now.plusSeconds(3601)).verdict());
    // an ended sign-in gets a token that is already at its end
    String ended = tokens.issue("carol", List.of(), now, java.util.Optional.of(now.minusSeconds(5)));
    assertEquals(AuthTokens.Verdict.EXPIRED, tokens.verify(ended, now.plusSeconds(1)).verdict());
    assertEquals(java.util.Optional.empty(), tokens.verify(tokens.issue("dave", now), now).capped());
  }

  @Test
  void aChangedLifetimeDoesNotMakeAnOrdinaryTokenLookCutShort() {
    String ordinary = tokens.issue("alice", List.of("eng"), now);
    String cut = tokens.issue("bob", List.of(), now, java.util.Optional.of(now.plusSeconds(600)));
    // a restart or a rolling update's other replica with a longer lifetime
    AuthTokens longer = new AuthTokens(new byte[32], Duration.ofHours(8));
    AuthTokens.Checked c = longer.verify(ordinary, now.plusSeconds(60));
    assertEquals(AuthTokens.Verdict.VALID, c.verdict());
    assertEquals(java.util.Optional.empty(), c.capped(), "no sign-in end for a RADIUS session");
    assertEquals(
        java.util.Optional.of(now.plusSeconds(600)), longer.verify(cut, now).capped());
    assertEquals(
        java.util.Optional.of(now.plusSeconds(600)),
        new AuthTokens(new byte[32], Duration.ofMinutes(5)).verify(cut, now).capped(),
        "a shorter lifetime keeps the sign-in's end as it was");
  }

  @Test
  void versionTwoTokensStillVerify() throws Exception {
    String body =
        "vgw2."
            + Base64.getUrlEncoder().withoutPadding().encodeToString("alice".getBytes())
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString("eng".getBytes())
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
    assertEquals(List.of("eng"), c.groups());
    assertEquals(java.util.Optional.empty(), c.capped());
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
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify("vgw3.", now).verdict());
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(t + "!", now).verdict());
    assertEquals(AuthTokens.Verdict.NOT_A_TOKEN, tokens.verify("hunter2", now).verdict());
  }

  /**
   * A token records what the login that earned it proved (MAC'd: flipping it forges the token);
   * a token of version 3 or older, which does not say, is read as a certificate login's.
   */
  @Test
  void aTokenRecordsWhatItsLoginProved() throws Exception {
    java.util.Optional<Instant> none = java.util.Optional.empty();
    for (AuthTokens.Proven p :
        List.of(AuthTokens.Proven.CERTIFICATE, AuthTokens.Proven.PASSWORD, AuthTokens.Proven.BOTH)) {
      String t = tokens.issue("alice", List.of("eng"), now, none, p);
      assertEquals(p, tokens.verify(t, now).proven(), t);
      String capped =
          tokens.issue("alice", List.of(), now, java.util.Optional.of(now.plusSeconds(60)), p);
      assertEquals(p, tokens.verify(capped, now).proven(), capped);
      assertEquals(
          java.util.Optional.of(now.plusSeconds(60)), tokens.verify(capped, now).capped());
    }
    String certificateOnly =
        tokens.issue("alice", List.of(), now, none, AuthTokens.Proven.CERTIFICATE);
    String claimed = certificateOnly.substring(0, certificateOnly.lastIndexOf('.'));
    claimed = claimed.substring(0, claimed.length() - 1) + "kp" + certificateOnly.substring(
        certificateOnly.lastIndexOf('.'));
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(claimed, now).verdict());
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> tokens.issue("alice", List.of(), now, none, new AuthTokens.Proven(false, false)));
    // signed by us but claiming no proof, or an unknown flag: not one we issue
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(signed("vgw4.YQ..1.9999999999."), now)
        .verdict());
    assertEquals(AuthTokens.Verdict.FORGED, tokens.verify(signed("vgw4.YQ..1.9999999999.pk"), now)
        .verdict());

    String v3 = signed("vgw3.YWxpY2U..1." + now.plusSeconds(60).getEpochSecond() + ".");
    AuthTokens.Checked c = tokens.verify(v3, now);
    assertEquals(AuthTokens.Verdict.VALID, c.verdict());
    assertEquals(AuthTokens.Proven.CERTIFICATE, c.proven(), "no password proof in an old token");
  }

  private static String signed(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    return body
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
