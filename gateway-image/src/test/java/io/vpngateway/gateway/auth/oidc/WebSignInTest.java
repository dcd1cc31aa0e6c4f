package io.vpngateway.gateway.auth.oidc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.testing.TestIssuer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authorization-code flow with PKCE end to end: the gateway's HTTPS sign-in endpoint, a real
 * issuer (mock-oauth2-server), and an HTTP client that follows the links as a browser would.
 */
class WebSignInTest {
  private static final String CLIENT_ID = "vpn-gateway-web";
  private static TestIssuer issuer;
  private static CertificateAuthority gatewayCa;
  private static WebSignIn signIn;
  private static OidcCallbackServer server;
  private static HttpClient browser;

  @BeforeAll
  static void start() throws Exception {
    issuer = TestIssuer.startOnLoopback();
    gatewayCa = CertificateAuthority.create("gw", KeySpec.EC_P256, Instant.now());
    IssuedCertificate cert =
        gatewayCa.issueServerCertificate(
            new ServerCertificateRequest(
                "gw", List.of(), List.of("127.0.0.1"), KeySpec.EC_P256, Duration.ofDays(1)),
            Instant.now());
    signIn = new WebSignIn();
    server =
        OidcCallbackServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            List.of(cert.certificate()),
            cert.privateKey(),
            signIn);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("issuer", issuer.caCertificate());
    trust.setCertificateEntry("gateway", gatewayCa.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    browser =
        HttpClient.newBuilder()
            .sslContext(tls)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  @AfterAll
  static void stop() {
    server.close();
    signIn.close();
    issuer.close();
  }

  private static WebSignIn.Context context(Duration timeout, List<String> allowedGroups) {
    OidcSettings settings =
        new OidcSettings(
            issuer.issuerUrl(),
            "vpn-api",
            Optional.of(CLIENT_ID),
            Optional.empty(),
            "groups",
            allowedGroups,
            List.of("openid", "profile"),
            OidcSettings.DEFAULT_CLOCK_SKEW,
            Optional.empty(),
            0,
            timeout,
            List.of(issuer.caCertificate()));
    OidcIssuer oidcIssuer =
        new OidcIssuer(settings, new IssuerHttpClient(settings.issuerRoots()), Clock.systemUTC());
    return new WebSignIn.Context(
        oidcIssuer,
        new OidcTokenValidator(oidcIssuer, Clock.systemUTC()),
        URI.create("https://127.0.0.1:" + server.address().getPort() + "/oidc/callback"));
  }

  /** Follows redirects from {@code url} like a browser; returns every response in order. */
  private static List<HttpResponse<String>> follow(URI url) throws Exception {
    List<HttpResponse<String>> hops = new ArrayList<>();
    URI next = url;
    for (int i = 0; i < 10 && next != null; i++) {
      HttpResponse<String> r =
          browser.send(
              HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(30)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      hops.add(r);
      next = r.headers().firstValue("Location").map(URI::create).orElse(null);
    }
    return hops;
  }

  @Test
  void browserSignInAdmitsWithTheTokensGroups() throws Exception {
    drainRecordedRequests();
    AtomicReference<SignInOutcome> outcome = new AtomicReference<>();
    WebSignIn.Started started =
        signIn.begin(context(Duration.ofMinutes(1), List.of("vpn-users")), outcome::set);
    assertTrue(
        started.signInUrl().toString().matches("https://127\\.0\\.0\\.1:\\d+/oidc/start/[\\w-]{22}"),
        started.signInUrl().toString());
    issuer.nextSignIn(
        "u-42", CLIENT_ID, Map.of("preferred_username", "bob", "groups", List.of("vpn-users")));

    List<HttpResponse<String>> hops = follow(started.signInUrl());

    assertEquals(302, hops.get(0).statusCode(), "start link redirects to the issuer");
    URI authorize = URI.create(hops.get(0).headers().firstValue("Location").orElseThrow());
    Map<String, String> q = OidcCallbackServer.query(authorize.getRawQuery());
    assertEquals("code", q.get("response_type"));
    assertEquals(CLIENT_ID, q.get("client_id"));
    assertEquals("S256", q.get("code_challenge_method"));
    assertEquals(started.id(), q.get("state"));
    assertTrue(q.get("scope").startsWith("openid"));
    HttpResponse<String> last = hops.get(hops.size() - 1);
    assertEquals(200, last.statusCode(), last.body());
    assertTrue(last.body().contains("Signed in as bob"), last.body());
    assertEquals("no-store", last.headers().firstValue("Cache-Control").orElse(""));
    assertEquals("no-referrer", last.headers().firstValue("Referrer-Policy").orElse(""));

    SignInOutcome.SignedIn in = assertInstanceOf(SignInOutcome.SignedIn.class, outcome.get());
    assertEquals("u-42", in.token().subject());
    assertEquals(List.of("vpn-users"), in.token().groups());

    // the code was redeemed with the verifier whose S256 hash the browser carried
    String verifier = tokenRequestField("code_verifier");
    assertEquals(q.get("code_challenge"), Pkce.challengeOf(verifier));
    assertEquals(0, signIn.pendingCount());

    // the same callback again: the sign-in is used up
    HttpResponse<String> replay = follow(URI.create(hops.get(hops.size() - 2).headers()
        .firstValue("Location").orElseThrow())).get(0);
    assertEquals(400, replay.statusCode());
  }

  @Test
  void aUserOutsideTheAllowedGroupsIsRefusedAfterSigningIn() throws Exception {
    AtomicReference<SignInOutcome> outcome = new AtomicReference<>();
    WebSignIn.Started started =
        signIn.begin(context(Duration.ofMinutes(1), List.of("vpn-users")), outcome::set);
    issuer.nextSignIn("u-7", CLIENT_ID, Map.of("groups", List.of("guests")));
    List<HttpResponse<String>> hops = follow(started.signInUrl());
    assertEquals(403, hops.get(hops.size() - 1).statusCode());
    SignInOutcome.Refused r = assertInstanceOf(SignInOutcome.Refused.class, outcome.get());
    assertEquals(RefusalReason.GROUP_NOT_ALLOWED, r.reason());
  }

  @Test
  void noSignInWithinTheTimeoutIsRefusedWithItsReason() throws Exception {
    AtomicReference<SignInOutcome> outcome = new AtomicReference<>();
    WebSignIn.Started started = signIn.begin(context(Duration.ofSeconds(1), List.of()), outcome::set);
    await().atMost(10, TimeUnit.SECONDS).until(() -> outcome.get() != null);
    SignInOutcome.Refused r = assertInstanceOf(SignInOutcome.Refused.class, outcome.get());
    assertEquals(RefusalReason.AUTH_TIMEOUT, r.reason());
    // the link is dead afterwards
    assertEquals(404, follow(started.signInUrl()).get(0).statusCode());
  }

  @Test
  void theIssuerRefusingTheUserIsSignInDenied() throws Exception {
    AtomicReference<SignInOutcome> outcome = new AtomicReference<>();
    WebSignIn.Started started = signIn.begin(context(Duration.ofMinutes(1), List.of()), outcome::set);
    URI callback =
        URI.create(
            "https://127.0.0.1:"
                + server.address().getPort()
                + "/oidc/callback?error=access_denied&state="
                + started.id());
    assertEquals(403, follow(callback).get(0).statusCode());
    SignInOutcome.Refused r = assertInstanceOf(SignInOutcome.Refused.class, outcome.get());
    assertEquals(RefusalReason.BAD_CREDENTIALS, r.reason());
  }

  @Test
  void madeUpStatesAndPathsGetNothing() throws Exception {
    String base = "https://127.0.0.1:" + server.address().getPort();
    assertEquals(404, follow(URI.create(base + "/oidc/start/nope")).get(0).statusCode());
    assertEquals(
        400,
        follow(URI.create(base + "/oidc/callback?code=abc&state=nope")).get(0).statusCode());
    assertEquals(404, follow(URI.create(base + "/")).get(0).statusCode());
    HttpResponse<String> post =
        browser.send(
            HttpRequest.newBuilder(URI.create(base + "/oidc/callback"))
                .POST(HttpRequest.BodyPublishers.ofString("code=x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void cancelledSignInNeverReportsAnOutcome() throws Exception {
    AtomicReference<SignInOutcome> outcome = new AtomicReference<>();
    WebSignIn.Started started = signIn.begin(context(Duration.ofSeconds(1), List.of()), outcome::set);
    signIn.cancel(started.id());
    assertEquals(404, follow(started.signInUrl()).get(0).statusCode());
    await().during(2, TimeUnit.SECONDS).atMost(3, TimeUnit.SECONDS).until(() -> outcome.get() == null);
    assertNull(outcome.get());
  }

  @Test
  void startLinkKeepsAPathPrefixOfTheRedirectUri() {
    assertEquals(
        URI.create("https://vpn.example.com:8443/vpn/oidc/start/abc"),
        WebSignIn.startUri(URI.create("https://vpn.example.com:8443/vpn/oidc/callback"), "abc"));
  }

  private static void drainRecordedRequests() {
    try {
      while (true) {
        issuer.server().takeRequest(10, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      // none left
    }
  }

  private static String tokenRequestField(String field) {
    while (true) {
      RecordedRequest r = issuer.server().takeRequest(5, TimeUnit.SECONDS);
      if (r.getPath() != null && r.getPath().contains("/token")) {
        for (String pair : r.getBody().readUtf8().split("&")) {
          String[] kv = pair.split("=", 2);
          if (kv[0].equals(field)) {
            return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
          }
        }
        return null;
      }
    }
  }
}
