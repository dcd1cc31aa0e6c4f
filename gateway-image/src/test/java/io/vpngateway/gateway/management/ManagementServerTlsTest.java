package io.vpngateway.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.config.RuntimeConfig.ManagementTlsFiles;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management API over TLS with a certificate of the gateway's CA, called by a real JDK HTTPS
 * client: accepted only with that CA and the gateway's identity; the probes-only port answers
 * plain HTTP and nothing else.
 */
class ManagementServerTlsTest {
  private static final String TOKEN = "mgmt-token-0123456789abcdef";
  private static final String NAMESPACE = "vpn";
  private static final String NAME = "gw1";

  private final Instant now = Instant.now();
  private final CertificateAuthority ca = CertificateAuthority.create(NAME, KeySpec.EC_P256, now);
  private final AtomicReference<Optional<ManagementTlsFiles>> files = new AtomicReference<>();
  private ManagementServer server;

  @BeforeEach
  void start() throws Exception {
    files.set(Optional.of(issue(ca, ManagementTls.identity(NAMESPACE, NAME))));
    SessionRegistry registry = new SessionRegistry();
    server =
        ManagementServer.start(
            new ManagementServer.Listeners(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.of(files::get),
                Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))),
            () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
            registry,
            new GatewayMetrics(registry),
            () -> true,
            List::of);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ManagementTlsFiles issue(CertificateAuthority issuer, String name) {
    IssuedCertificate cert =
        issuer.issueServerCertificate(
            new ServerCertificateRequest(
                name, List.of(name), List.of(), KeySpec.EC_P256, Duration.ofDays(30)),
            now);
    return new ManagementTlsFiles(List.of(cert.certificate()), cert.privateKey());
  }

  private HttpResponse<String> get(SSLContext tls, String path, String token) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.address().getPort() + path))
            .timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private SSLContext trusting(CertificateAuthority trusted) {
    return ManagementTls.clientContext(trusted.certificate(), ManagementTls.identity(NAMESPACE, NAME));
  }

  @Test
  void acceptedWithTheGatewaysCaAndTokenRefusedWithoutTheCa() throws Exception {
    assertTrue(server.tls());
    HttpResponse<String> metrics = get(trusting(ca), "/metrics", TOKEN);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("vpngw_sessions"), metrics.body());
    // TLS alone is not enough: the bearer token is still checked
    assertEquals(401, get(trusting(ca), "/metrics", "wrong-token-0123456789abcdef").statusCode());

    // the JDK's default trust (public CAs) does not know the gateway's CA
    assertThrows(SSLHandshakeException.class, () -> get(SSLContext.getDefault(), "/metrics", TOKEN));
    // nor does another gateway's CA
    CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256, now);
    assertThrows(SSLHandshakeException.class, () -> get(trusting(other), "/metrics", TOKEN));
  }

  @Test
  void aCertificateOfTheRightCaWithoutTheIdentityIsRefused() throws Exception {
    // e.g. the gateway's VPN server certificate: same CA, serverAuth, other names
    files.set(Optional.of(issue(ca, "vpn.example.com")));
    assertThrows(SSLHandshakeException.class, () -> get(trusting(ca), "/metrics", TOKEN));
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws Exception {
    ManagementTlsFiles renewed = issue(ca, ManagementTls.identity(NAMESPACE, NAME));
    files.set(Optional.of(renewed));
    java.security.cert.X509Certificate[] seen = new java.security.cert.X509Certificate[1];
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.address().getPort() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    seen[0] =
        (java.security.cert.X509Certificate)
            response.sslSession().orElseThrow().getPeerCertificates()[0];
    assertEquals(renewed.chain().get(0), seen[0]);
    // and a reload that loses the files keeps serving the last good certificate
    files.set(Optional.empty());
    assertEquals(200, get(trusting(ca), "/healthz", null).statusCode());
  }

  @Test
  void theHealthPortAnswersProbesInPlainHttpAndNothingElse() throws Exception {
    int port = server.healthAddress().orElseThrow().getPort();
    HttpClient plain = HttpClient.newHttpClient();
    for (String probe : List.of("/healthz", "/livez", "/readyz")) {
      assertEquals(
          200,
          plain
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          probe);
    }
    HttpResponse<String> metrics =
        plain.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, metrics.statusCode(), "the probe port never serves the API, token or not");
    // the TLS port does not speak plain HTTP
    assertThrows(
        java.io.IOException.class,
        () ->
            plain.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
  }
}
