package io.vpngateway.gateway.auth.oidc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.testing.GatewayFixture;
import io.vpngateway.gateway.testing.OidcConfigs;
import io.vpngateway.gateway.testing.TestIssuer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OIDC behind the authentication pipeline, as every protocol calls it, with the gateway's own
 * config directory and a real issuer: tokens as passwords, web sign-in for clients that can open
 * a link, refusals for those that cannot, and settings that follow a reload.
 */
class OidcPasswordAuthenticatorTest {
  private static final String AUDIENCE = "vpn-gateway";
  private static final String CLIENT_ID = "vpn-web";
  private static TestIssuer issuer;

  @TempDir Path dir;
  private ConfigSource source;
  private OidcService service;
  private AuthenticationPipeline pipeline;
  private int port;

  @BeforeAll
  static void startIssuer() throws Exception {
    issuer = TestIssuer.startOnLoopback();
  }

  @AfterAll
  static void stopIssuer() {
    issuer.close();
  }

  @BeforeEach
  void start() throws Exception {
    GatewayFixture.preparedState(dir);
    port = OidcConfigs.freePort();
    OidcConfigs.withOidc(
        dir,
        OidcConfigs.oidc(
            issuer.issuerUrl().toString(), AUDIENCE, CLIENT_ID, List.of(), port, 60_000),
        issuer.caCertificatePem());
    source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    service =
        OidcService.start(source.current(), InetAddress.getByName("127.0.0.1"), Clock.systemUTC());
    source.addListener(service);
    pipeline =
        AuthenticationPipeline.builder().password(new OidcPasswordAuthenticator(service)).build();
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private AuthResult authenticate(String password, Map<String, String> peerInfo) throws Exception {
    ClientInfo client =
        new ClientInfo(
            VpnProtocol.OpenVPN, "ovpn-1", new InetSocketAddress("127.0.0.1", 40000), peerInfo);
    return pipeline
        .authenticate(
            new ClientCredentials(
                client,
                List.of(),
                password == null
                    ? Optional.empty()
                    : Optional.of(PasswordCredential.of("user", password))))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void aValidTokenAsThePasswordIsAnIdentityWithTheTokensGroups() throws Exception {
    String token =
        issuer.token(
            "u-1", AUDIENCE, Map.of("preferred_username", "alice", "groups", List.of("eng")), 600);
    AuthResult.Accepted a = assertInstanceOf(AuthResult.Accepted.class, authenticate(token, Map.of()));
    assertEquals("alice", a.identity().name());
    assertEquals(List.of("eng"), a.identity().groups());
    assertEquals(AuthMethod.OIDC, a.identity().method());
    assertEquals(issuer.issuerUrl().toString(), a.identity().source());
    assertTrue(
        metrics().contains(
            OidcService.ISSUER_UP + "{issuer=\"" + issuer.issuerUrl() + "\"} 1"),
        metrics());
  }

  private String metrics() {
    io.vpngateway.gateway.metrics.PrometheusTextWriter w =
        new io.vpngateway.gateway.metrics.PrometheusTextWriter();
    service.collect(w);
    return w.toString();
  }

  @Test
  void tokenRefusalsKeepTheirDistinctReasons() throws Exception {
    assertEquals(
        RefusalReason.TOKEN_EXPIRED,
        refused(authenticate(issuer.token("u", AUDIENCE, Map.of(), -3600), Map.of())));
    assertEquals(
        RefusalReason.TOKEN_AUDIENCE_MISMATCH,
        refused(authenticate(issuer.token("u", "other-app", Map.of(), 600), Map.of())));
  }

  @Test
  void aClientThatCannotOpenALinkIsToldSoAtOnce() throws Exception {
    assertEquals(RefusalReason.AUTH_METHOD_NOT_SUPPORTED, refused(authenticate("x", Map.of())));
    assertEquals(
        RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
        refused(authenticate(null, Map.of("IV_SSO", "crtext"))));
  }

  @Test
  void webSignInPendsUntilTheUserSignsIn() throws Exception {
    AuthResult.Pending pending =
        assertInstanceOf(
            AuthResult.Pending.class, authenticate("ignored", Map.of("IV_SSO", "webauth,crtext")));
    assertEquals(Duration.ofSeconds(60), pending.timeout());
    assertTrue(
        pending.url().toString().startsWith("https://127.0.0.1:" + port + "/oidc/start/"),
        pending.url().toString());
    assertFalse(pending.outcome().toCompletableFuture().isDone());

    issuer.nextSignIn("u-9", CLIENT_ID, Map.of("preferred_username", "bob", "groups", List.of("ops")));
    HttpResponse<String> last = browse(pending.url());
    assertEquals(200, last.statusCode(), last.body());

    AuthResult.Accepted a =
        assertInstanceOf(
            AuthResult.Accepted.class,
            pending.outcome().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals("bob", a.identity().name());
    assertEquals(List.of("ops"), a.identity().groups());
  }

  @Test
  void aClientThatGivesUpFreesItsSignIn() throws Exception {
    AuthResult.Pending pending =
        assertInstanceOf(
            AuthResult.Pending.class, authenticate(null, Map.of("IV_SSO", "webauth")));
    assertEquals(1, service.webSignIn().pendingCount());
    pending.outcome().toCompletableFuture().cancel(false);
    assertEquals(0, service.webSignIn().pendingCount());
    assertEquals(404, browse(pending.url()).statusCode());
  }

  @Test
  void reloadedSettingsApplyWithoutARestart() throws Exception {
    String forNewAudience = issuer.token("u-1", "new-audience", Map.of(), 600);
    assertEquals(
        RefusalReason.TOKEN_AUDIENCE_MISMATCH, refused(authenticate(forNewAudience, Map.of())));
    GatewayConfig.Oidc tokensOnly =
        OidcConfigs.oidc(issuer.issuerUrl().toString(), "new-audience", null, List.of(), port, 0);
    OidcConfigs.withOidc(dir, tokensOnly, null);
    source.reload();
    assertInstanceOf(AuthResult.Accepted.class, authenticate(forNewAudience, Map.of()));
    // web sign-in off: the endpoint is closed and such clients are no longer OIDC's
    await().atMost(5, TimeUnit.SECONDS).until(() -> service.signInAddress().isEmpty());
    assertTrue(
        refused(authenticate(null, Map.of("IV_SSO", "webauth"))) == RefusalReason.CREDENTIALS_MISSING);
    try {
      browse(URI.create("https://127.0.0.1:" + port + "/oidc/start/x"));
      throw new AssertionError("the sign-in endpoint still answers");
    } catch (ConnectException e) {
      // closed, as it should be
    }
  }

  @Test
  void anUnreachableIssuerRefusesNewClientsWithItsOwnReason() throws Exception {
    int closed = OidcConfigs.freePort();
    OidcConfigs.withOidc(
        dir,
        OidcConfigs.oidc("https://127.0.0.1:" + closed + "/vpn", AUDIENCE, CLIENT_ID, List.of(), port, 60_000),
        null);
    source.reload();
    assertEquals(
        RefusalReason.AUTH_SERVER_UNAVAILABLE,
        refused(authenticate(issuer.token("u", AUDIENCE, Map.of(), 600), Map.of())));
    assertEquals(
        RefusalReason.AUTH_SERVER_UNAVAILABLE,
        refused(authenticate(null, Map.of("IV_SSO", "webauth"))));
    assertTrue(
        metrics().contains(
            OidcService.ISSUER_UP + "{issuer=\"https://127.0.0.1:" + closed + "/vpn\"} 0"),
        metrics());
  }

  @Test
  void jwtShapeIsRecognised() {
    assertTrue(OidcPasswordAuthenticator.looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
    assertFalse(OidcPasswordAuthenticator.looksLikeJwt("hunter2"));
    assertFalse(OidcPasswordAuthenticator.looksLikeJwt("eyJ.a.b.c"));
    assertFalse(OidcPasswordAuthenticator.looksLikeJwt("eyJhbGc iOi.x.y"));
    assertFalse(OidcPasswordAuthenticator.looksLikeJwt("vgw2.abc.def"));
  }

  private static RefusalReason refused(AuthResult r) {
    return assertInstanceOf(AuthResult.Refused.class, r, String.valueOf(r)).reason();
  }

  /** Follows redirects like a browser, trusting the issuer's and the gateway's CAs. */
  private HttpResponse<String> browse(URI url) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("issuer", issuer.caCertificate());
    trust.setCertificateEntry("gateway", source.current().caCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    HttpClient browser =
        HttpClient.newBuilder()
            .sslContext(tls)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    URI next = url;
    HttpResponse<String> r = null;
    for (int i = 0; i < 10 && next != null; i++) {
      r =
          browser.send(
              HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      next = r.headers().firstValue("Location").map(URI::create).orElse(null);
    }
    return r;
  }
}
