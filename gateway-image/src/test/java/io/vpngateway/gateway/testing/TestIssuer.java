package io.vpngateway.gateway.testing;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OIDC issuer for tests: NAV's mock-oauth2-server (discovery, JWKS, authorization and token
 * endpoints, signed RS256 tokens) over HTTPS with a certificate from a CA of the test's own, so the
 * gateway is configured with that CA as its issuer root exactly as with a private IdP.
 */
public final class TestIssuer implements AutoCloseable {
  public static final String ISSUER_ID = "vpn";

  private final MockOAuth2Server server;
  private final CertificateAuthority ca;

  private TestIssuer(MockOAuth2Server server, CertificateAuthority ca) {
    this.server = server;
    this.ca = ca;
  }

  /** Starts on {@code address} (port 0: any free one); the certificate names that address. */
  public static TestIssuer start(InetAddress address, int port) throws Exception {
    TestIssuer issuer = startWithoutWarmUp(address, port);
    issuer.warmUp();
    return issuer;
  }

  /**
   * As {@link #start} without the warm-up requests: for an issuer bound from a thread inside a
   * network namespace, which this JVM's HTTP client (its connections opened on other threads)
   * would not reach; the caller warms it up from inside the namespace.
   */
  public static TestIssuer startWithoutWarmUp(InetAddress address, int port) throws Exception {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("test-issuer", KeySpec.EC_P256, now);
    IssuedCertificate cert =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                "test issuer",
                List.of("localhost"),
                List.of(address.getHostAddress()),
                KeySpec.EC_P256,
                Duration.ofDays(1)),
            now);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry(
        "issuer",
        cert.privateKey(),
        "changeit".toCharArray(),
        new Certificate[] {cert.certificate(), ca.certificate()});
    OAuth2Config config =
        new OAuth2Config(
            false,
            null,
            null,
            false,
            new OAuth2TokenProvider(),
            Set.of(),
            new MockWebServerWrapper(new Ssl(new SslKeystore("changeit", keyStore))));
    MockOAuth2Server server = new MockOAuth2Server(config);
    server.start(address, port);
    return new TestIssuer(server, ca);
  }

  /**
   * The mock's first requests take seconds on a loaded machine (class loading, TLS): make them
   * here, with patience, so the gateway's own bounded timeouts measure the issuer, not its start.
   */
  private void warmUp() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    HttpClient http = HttpClient.newBuilder().sslContext(tls).build();
    for (String path : List.of("/.well-known/openid-configuration", "/jwks")) {
      http.send(
          HttpRequest.newBuilder(URI.create(issuerUrl() + path))
              .timeout(Duration.ofSeconds(60))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
    while (true) {
      try {
        server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        break; // none left: tests see only their own requests
      }
    }
  }

  public static TestIssuer startOnLoopback() throws Exception {
    return start(InetAddress.getByName("127.0.0.1"), 0);
  }

  public MockOAuth2Server server() {
    return server;
  }

  /** The root the issuer's HTTPS certificate chains to. */
  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  public String caCertificatePem() {
    return ca.certificatePem();
  }

  public URI issuerUrl() {
    return server.issuerUrl(ISSUER_ID).uri();
  }

  /** A token of this issuer for {@code subject} with {@code audience} and extra claims. */
  public String token(String subject, String audience, Map<String, Object> claims, long ttlSeconds) {
    return server
        .issueToken(
            ISSUER_ID,
            "test-client",
            new DefaultOAuth2TokenCallback(
                ISSUER_ID, subject, "JWT", List.of(audience), claims, ttlSeconds))
        .serialize();
  }

  /** The next token the token endpoint issues (e.g. after a sign-in) gets these claims. */
  public void nextSignIn(String subject, String audience, Map<String, Object> claims) {
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of(audience), claims, 3600));
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
