package io.vpngateway.gateway.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.vpngateway.gateway.testing.TestIssuer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token checks against a real issuer (mock-oauth2-server over HTTPS, trusted through its own
 * CA): every refusal has its own reason, and the key set is cached, refetched for an unknown key
 * id and rate-limited.
 */
class OidcTokenValidatorTest {
  private static final String AUDIENCE = "vpn-gateway";
  private static TestIssuer issuer;

  @BeforeAll
  static void startIssuer() throws Exception {
    issuer = TestIssuer.startOnLoopback();
  }

  @AfterAll
  static void stopIssuer() {
    issuer.close();
  }

  private static OidcTokenValidator validator(List<String> allowedGroups) {
    OidcSettings settings =
        OidcSettings.tokensOnly(
            issuer.issuerUrl(), AUDIENCE, "groups", allowedGroups, List.of(issuer.caCertificate()));
    return new OidcTokenValidator(
        new OidcIssuer(settings, new IssuerHttpClient(settings.issuerRoots()), Clock.systemUTC()),
        Clock.systemUTC());
  }

  private static TokenRefusal refusal(OidcTokenValidator v, String token) {
    TokenRefusedException e =
        assertThrows(TokenRefusedException.class, () -> v.validateAccessToken(token));
    return e.refusal();
  }

  @Test
  void validTokenGivesSubjectNameAndGroups() throws Exception {
    String token =
        issuer.token(
            "u-123",
            AUDIENCE,
            Map.of("preferred_username", "alice", "groups", List.of("engineering", "vpn")),
            600);
    VerifiedToken t = validator(List.of("vpn")).validateAccessToken(token);
    assertEquals("u-123", t.subject());
    assertEquals("alice", t.name());
    assertEquals(List.of("engineering", "vpn"), t.groups());
    assertTrue(t.expiresAt().isAfter(Instant.now().plusSeconds(500)));
  }

  @Test
  void expiredTokenIsRefusedAsExpired() {
    String token = issuer.token("alice", AUDIENCE, Map.of(), -3600);
    assertEquals(TokenRefusal.EXPIRED, refusal(validator(List.of()), token));
  }

  @Test
  void expiryWithinTheClockSkewIsAccepted() throws Exception {
    String token = issuer.token("alice", AUDIENCE, Map.of(), -20); // skew is 60 s
    assertEquals("alice", validator(List.of()).validateAccessToken(token).subject());
  }

  @Test
  void tokenNotYetValidIsRefused() {
    long inAnHour = Instant.now().plusSeconds(3600).getEpochSecond();
    String token = issuer.token("alice", AUDIENCE, Map.of("nbf", inAnHour), 7200);
    assertEquals(TokenRefusal.NOT_YET_VALID, refusal(validator(List.of()), token));
  }

  @Test
  void wrongAudienceIsRefused() {
    String token = issuer.token("alice", "some-other-api", Map.of(), 600);
    assertEquals(TokenRefusal.WRONG_AUDIENCE, refusal(validator(List.of()), token));
  }

  @Test
  void wrongIssuerIsRefused() {
    String token = issuer.token("alice", AUDIENCE, Map.of("iss", "https://evil.example"), 600);
    assertEquals(TokenRefusal.WRONG_ISSUER, refusal(validator(List.of()), token));
  }

  @Test
  void alteredClaimsBreakTheSignature() throws Exception {
    String token = issuer.token("alice", AUDIENCE, Map.of("groups", List.of("guests")), 600);
    String[] parts = token.split("\\.");
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    JWTClaimsSet promoted =
        new JWTClaimsSet.Builder(claims).claim("groups", List.of("admins")).build();
    String forged =
        parts[0]
            + "."
            + Base64URL.encode(promoted.toString().getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertEquals(TokenRefusal.BAD_SIGNATURE, refusal(validator(List.of()), forged));
  }

  @Test
  void aKeyOfOurOwnUnderTheIssuersKeyIdIsABadSignature() throws Exception {
    String token = issuer.token("alice", AUDIENCE, Map.of(), 600);
    String kid = SignedJWT.parse(token).getHeader().getKeyID();
    String forged = signWithOwnKey(kid, SignedJWT.parse(token).getJWTClaimsSet());
    assertEquals(TokenRefusal.BAD_SIGNATURE, refusal(validator(List.of()), forged));
  }

  @Test
  void unknownKeyIdIsRefusedAfterOneRefetchThenRateLimited() throws Exception {
    OidcTokenValidator v = validator(List.of());
    drainRecordedRequests();
    // first use: discovery + key set
    v.validateAccessToken(issuer.token("alice", AUDIENCE, Map.of(), 600));
    assertEquals(1, jwksFetches());

    // a token of another issuer on the same server: its key id is not in this issuer's set
    String foreign =
        issuer
            .server()
            .issueToken(
                "other",
                "test-client",
                new DefaultOAuth2TokenCallback(
                    "other", "mallory", "JWT", List.of(AUDIENCE), Map.of(), 600L))
            .serialize();
    TokenRefusedException first =
        assertThrows(TokenRefusedException.class, () -> v.validateAccessToken(foreign));
    assertEquals(TokenRefusal.UNKNOWN_KEY, first.refusal());
    assertEquals(1, jwksFetches(), "an unknown kid refetches the key set once");

    // our own key under a made-up kid, right after: the refetch budget is spent
    String madeUp =
        signWithOwnKey("made-up", SignedJWT.parse(foreign).getJWTClaimsSet());
    TokenRefusedException second =
        assertThrows(TokenRefusedException.class, () -> v.validateAccessToken(madeUp));
    assertEquals(TokenRefusal.UNKNOWN_KEY, second.refusal());
    assertTrue(second.getMessage().contains("rate-limited"), second.getMessage());
    assertEquals(0, jwksFetches(), "no refetch within the rate limit");

    // known keys keep working from the cache
    v.validateAccessToken(issuer.token("alice", AUDIENCE, Map.of(), 600));
    assertEquals(0, jwksFetches(), "a known key is served from the cache");
  }

  @Test
  void unsignedAndHmacTokensAreRefusedBeforeAnyKeyLookup() throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer.issuerUrl().toString())
            .subject("alice")
            .audience(AUDIENCE)
            .expirationTime(Date.from(Instant.now().plusSeconds(600)))
            .build();
    String none = new PlainJWT(claims).serialize();
    assertEquals(TokenRefusal.ALGORITHM_NOT_ALLOWED, refusal(validator(List.of()), none));
    SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    hmac.sign(new MACSigner(new byte[32]));
    assertEquals(TokenRefusal.ALGORITHM_NOT_ALLOWED, refusal(validator(List.of()), hmac.serialize()));
  }

  @Test
  void garbageIsMalformed() {
    OidcTokenValidator v = validator(List.of());
    assertEquals(TokenRefusal.MALFORMED, refusal(v, "hunter2"));
    assertEquals(TokenRefusal.MALFORMED, refusal(v, "a.b.c"));
    assertEquals(TokenRefusal.MALFORMED, refusal(v, "x".repeat(OidcTokenValidator.MAX_TOKEN_LENGTH + 1)));
    assertEquals(TokenRefusal.MALFORMED, refusal(v, ""));
  }

  @Test
  void userOutsideTheAllowedGroupsIsRefused() {
    String token = issuer.token("alice", AUDIENCE, Map.of("groups", List.of("guests")), 600);
    assertEquals(TokenRefusal.GROUP_NOT_ALLOWED, refusal(validator(List.of("vpn-users")), token));
    String none = issuer.token("alice", AUDIENCE, Map.of(), 600);
    assertEquals(TokenRefusal.GROUP_NOT_ALLOWED, refusal(validator(List.of("vpn-users")), none));
  }

  @Test
  void issuerThatCannotBeReachedIsItsOwnReason() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    OidcSettings settings =
        OidcSettings.tokensOnly(
            URI.create("https://127.0.0.1:" + closedPort + "/vpn"),
            AUDIENCE,
            "groups",
            List.of(),
            List.of(issuer.caCertificate()));
    OidcTokenValidator v =
        new OidcTokenValidator(
            new OidcIssuer(settings, new IssuerHttpClient(List.of()), Clock.systemUTC()),
            Clock.systemUTC());
    String token = issuer.token("alice", AUDIENCE, Map.of(), 600);
    assertEquals(TokenRefusal.ISSUER_UNREACHABLE, refusal(v, token));
  }

  @Test
  void issuerWithAnUntrustedCertificateIsUnreachable() {
    OidcSettings settings =
        OidcSettings.tokensOnly(issuer.issuerUrl(), AUDIENCE, "groups", List.of(), List.of());
    OidcTokenValidator v =
        new OidcTokenValidator(
            new OidcIssuer(settings, new IssuerHttpClient(List.of()), Clock.systemUTC()),
            Clock.systemUTC());
    TokenRefusedException e =
        assertThrows(
            TokenRefusedException.class,
            () -> v.validateAccessToken(issuer.token("alice", AUDIENCE, Map.of(), 600)));
    assertEquals(TokenRefusal.ISSUER_UNREACHABLE, e.refusal());
  }

  @Test
  void groupsClaimMayBeAStringOrANestedPath() {
    Map<String, Object> claims =
        Map.of(
            "groups", "solo",
            "realm_access", Map.of("roles", List.of("vpn", 7, "ops")),
            "https://example.com/groups", List.of("uri-claim"));
    assertEquals(List.of("solo"), OidcTokenValidator.groups(claims, "groups"));
    assertEquals(List.of("vpn", "ops"), OidcTokenValidator.groups(claims, "realm_access.roles"));
    assertEquals(
        List.of("uri-claim"), OidcTokenValidator.groups(claims, "https://example.com/groups"));
    assertEquals(List.of(), OidcTokenValidator.groups(claims, "missing.path"));
  }

  @Test
  void skewIsBounded() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new OidcSettings(
                issuer.issuerUrl(),
                AUDIENCE,
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                "groups",
                List.of(),
                List.of(),
                Duration.ofMinutes(30),
                java.util.Optional.empty(),
                8443,
                Duration.ofMinutes(5),
                List.of()));
  }

  private static String signWithOwnKey(String kid, JWTClaimsSet claims) throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static void drainRecordedRequests() {
    while (nextRequest(10) != null) {
      // earlier tests' requests
    }
  }

  /** Key-set fetches recorded since the last call. */
  private static int jwksFetches() {
    int n = 0;
    RecordedRequest r;
    while ((r = nextRequest(50)) != null) {
      if (r.getPath() != null && r.getPath().contains("jwks")) {
        n++;
      }
    }
    return n;
  }

  /** The next request the issuer recorded, or null (the mock throws when there is none). */
  private static RecordedRequest nextRequest(long millis) {
    try {
      return issuer.server().takeRequest(millis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
