package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.operator.support.ManagementTlsFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real HTTPS client against a local JDK HTTPS server that answers like a gateway's management
 * API, with a management certificate of the gateway's CA.
 */
class HttpManagementApiTest {
  static final String TOKEN = "q8V0mR1sT2uV3wX4yZ5aB6cD7eF8gH9i";
  static final String EXPOSITION =
      """
      # HELP vpngw_sessions Live client sessions, by protocol.
      # TYPE vpngw_sessions gauge
      vpngw_sessions{protocol="OpenVPN"} 3
      vpngw_sessions{protocol="IKEv2"} 0
      vpngw_sessions{protocol="SSTP"} 1
      # HELP vpngw_session_bytes_total Bytes.
      # TYPE vpngw_session_bytes_total counter
      vpngw_session_bytes_total{direction="in"} 12345
      """;

  static final Instant NOW = Instant.now();
  static final CertificateAuthority CA = CertificateAuthority.create("gw", KeySpec.EC_P256, NOW);
  static final String IDENTITY = ManagementTls.identity("vpn", "gw");
  static final ManagementApi.Access ACCESS =
      new ManagementApi.Access(TOKEN, CA.certificate(), IDENTITY);

  HttpServer server;
  volatile String body = EXPOSITION;
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean stall;
  final java.util.concurrent.atomic.AtomicInteger authorizedCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    ServerCertificates.ServerTls tls =
        ManagementTls.keepOrIssue(CA, Optional.empty(), "vpn", "gw", List.of(), NOW);
    server = ManagementTlsFixture.server(tls.certificatePem(), tls.keyPem());
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (stall) {
        release.await(10, TimeUnit.SECONDS);
      }
      boolean authorized =
          ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
      if (authorized) {
        authorizedCalls.incrementAndGet();
      }
      boolean metrics = exchange.getRequestURI().getPath().equals("/metrics");
      byte[] bytes =
          (authorized ? body : "a valid bearer token is required\n")
              .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(!authorized ? 401 : metrics ? 200 : 404, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private InetSocketAddress address() {
    return server.getAddress();
  }

  @Test
  void anotherCaOrAnotherGatewaysIdentityIsRefusedBeforeTheTokenIsSent() {
    var api = new HttpManagementApi(Duration.ofSeconds(5));
    CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256, NOW);
    for (ManagementApi.Access wrong :
        List.of(
            new ManagementApi.Access(TOKEN, other.certificate(), IDENTITY),
            new ManagementApi.Access(
                TOKEN, CA.certificate(), ManagementTls.identity("vpn", "another-gateway")))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> api.sessionsByProtocol(address(), wrong).get(20, TimeUnit.SECONDS));
      assertTrue(
          e.getCause() instanceof javax.net.ssl.SSLHandshakeException,
          String.valueOf(e.getCause()));
    }
    assertEquals(0, authorizedCalls.get(), "the token never reached a server it could not trust");
  }

  @Test
  void readsTheSessionsGaugeWithTheToken() throws Exception {
    var api = new HttpManagementApi(Duration.ofSeconds(10));
    assertEquals(
        Map.of("OpenVPN", 3, "IKEv2", 0, "SSTP", 1),
        api.sessionsByProtocol(address(), ACCESS).get(20, TimeUnit.SECONDS));
  }

  @Test
  void aRefusedTokenCountsNothing() {
    var api = new HttpManagementApi(Duration.ofSeconds(10));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                api.sessionsByProtocol(
                        address(), new ManagementApi.Access("wrong-token-wrong-token", CA.certificate(), IDENTITY))
                    .get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("401"), e.getCause().getMessage());
    assertTrue(!e.getCause().getMessage().contains("wrong-token"), "the token is never echoed");
  }

  @Test
  void anAnswerWithoutTheGaugeCountsNothing() {
    body = "# nothing here\nother_metric 1\n";
    var api = new HttpManagementApi(Duration.ofSeconds(10));
    assertThrows(
        ExecutionException.class,
        () -> api.sessionsByProtocol(address(), ACCESS).get(20, TimeUnit.SECONDS));
  }

  @Test
  void aStalledPodFailsWithinTheTimeout() {
    stall = true;
    var api = new HttpManagementApi(Duration.ofMillis(300));
    long start = System.nanoTime();
    assertThrows(
        ExecutionException.class,
        () -> api.sessionsByProtocol(address(), ACCESS).get(20, TimeUnit.SECONDS));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 3000, "gave up after " + millis + " ms");
  }

  @Test
  void readsTheAuthenticationServersGaugesInTheSameRequest() throws Exception {
    body =
        EXPOSITION
            + "# TYPE vpngw_radius_server_up gauge\n"
            + "vpngw_radius_server_up{server=\"10.0.0.5:1812\"} 0\n"
            + "vpngw_radius_server_up{server=\"10.0.0.6:1812\"} 1\n"
            + "vpngw_radius_server_up_x{server=\"10.0.0.7:1812\"} 1\n"
            + "vpngw_radius_requests_total{server=\"10.0.0.5:1812\",result=\"timeout\"} 4\n"
            + "# TYPE vpngw_oidc_issuer_up gauge\n"
            + "vpngw_oidc_issuer_up{issuer=\"https://login.example/realms/a\"} 1\n";
    PodReport r =
        new HttpManagementApi(Duration.ofSeconds(10)).report(address(), ACCESS).get(20, TimeUnit.SECONDS);
    assertEquals(Map.of("OpenVPN", 3, "IKEv2", 0, "SSTP", 1), r.sessionsByProtocol());
    assertEquals(Map.of("10.0.0.5:1812", false, "10.0.0.6:1812", true), r.radiusServersUp());
    assertEquals(Map.of("https://login.example/realms/a", true), r.oidcIssuersUp());
    assertEquals(
        Map.of(),
        HttpManagementApi.upGauge(
            "vpngw_oidc_issuer_up{issuer=\"x\"} 0.5\nvpngw_oidc_issuer_up 1\n",
            HttpManagementApi.OIDC_UP_GAUGE,
            "issuer"),
        "neither a half-up nor an unlabelled sample is guessed at");
  }

  @Test
  void parsesOnlyTheSessionsFamily() {
    assertEquals(
        Optional.of(Map.of("OpenVPN", 2)),
        HttpManagementApi.parse(
            "vpngw_sessions_total{protocol=\"SSTP\"} 9\n"
                + "vpngw_sessions{protocol=\"OpenVPN\"} 2 1700000000000\n"
                + "vpngw_sessions_x{protocol=\"IKEv2\"} 5\n"));
    assertEquals(Optional.empty(), HttpManagementApi.parse(""));
    for (String bad : List.of("-1", "1.5", "NaN", "1e12")) {
      assertThrows(
          RuntimeException.class,
          () -> HttpManagementApi.parse("vpngw_sessions{protocol=\"OpenVPN\"} " + bad + "\n"),
          bad);
    }
  }
}
