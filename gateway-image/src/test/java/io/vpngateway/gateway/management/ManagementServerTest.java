package io.vpngateway.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.testing.FakeSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
  private static final String TOKEN = "mgmt-token-0123456789abcdef";

  /** A sample line of the text format: name, optional labels, value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")*\\})?"
              + " (-?[0-9.eE+-]+|\\+Inf|NaN)");

  private final HttpClient http = HttpClient.newHttpClient();
  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final AtomicReference<SecretBytes> token =
      new AtomicReference<>(SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)));
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private ManagementServer server;
  private FakeSession alice;

  @BeforeEach
  void start() throws Exception {
    server =
        ManagementServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            token::get,
            registry,
            metrics,
            ready::get,
            () ->
                java.util.List.of(
                    new io.vpngateway.gateway.admission.RefusalRecord(
                        "2026-11-25T10:00:00Z",
                        "OpenVPN",
                        "CertificateRevoked",
                        "mallory",
                        "192.0.2.1",
                        "ovpn-9",
                        "revoked by a CRL")));
    alice = new FakeSession("ovpn-1", "alice", "ab".repeat(32), "10.200.0.2");
    registry.register(alice);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everythingButProbesNeedsTheToken() throws Exception {
    assertEquals(401, get("/sessions", null).statusCode());
    assertEquals(401, get("/metrics", "wrong-token-0123456789abcdef").statusCode());
    assertEquals(401, send("DELETE", "/sessions/ovpn-1", null).statusCode());
    assertEquals(200, get("/healthz", null).statusCode());
    assertEquals(200, get("/livez", null).statusCode());
    assertEquals(503, get("/readyz", null).statusCode());
    ready.set(true);
    assertEquals(200, get("/readyz", null).statusCode());
    assertEquals(null, alice.closedReason(), "a refused DELETE must not close anything");
  }

  @Test
  void refusalsAreListedWithTheirTypedReason() throws Exception {
    assertEquals(401, get("/refusals", null).statusCode());
    HttpResponse<String> response = get("/refusals", TOKEN);
    assertEquals(200, response.statusCode());
    com.fasterxml.jackson.databind.JsonNode r =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get(0);
    assertEquals("CertificateRevoked", r.get("reason").asText());
    assertEquals("OpenVPN", r.get("protocol").asText());
    assertEquals("mallory", r.get("identity").asText());
    assertEquals(405, send("DELETE", "/refusals", TOKEN).statusCode());
  }

  @Test
  void reloadedTokenAppliesToTheNextRequest() throws Exception {
    token.set(SecretBytes.of("rotated-token-0123456789abcdef".getBytes(StandardCharsets.UTF_8)));

    assertEquals(401, get("/sessions", TOKEN).statusCode());
    assertEquals(200, get("/sessions", "rotated-token-0123456789abcdef").statusCode());
  }

  @Test
  void listsAndDisconnectsSessions() throws Exception {
    HttpResponse<String> list = get("/sessions", TOKEN);

    assertEquals(200, list.statusCode());
    JsonNode sessions = new ObjectMapper().readTree(list.body());
    assertEquals(1, sessions.size());
    JsonNode s = sessions.get(0);
    assertEquals("ovpn-1", s.get("id").asText());
    assertEquals("alice", s.get("identity").asText());
    assertEquals("OpenVPN", s.get("protocol").asText());
    assertEquals("10.200.0.2", s.get("innerAddress").asText());
    assertEquals("127.0.0.1:40000", s.get("outerAddress").asText());
    assertEquals("AES-256-GCM", s.get("cipher").asText());
    assertEquals(1000, s.get("bytesIn").asLong());
    assertEquals("2026-11-25T10:00:00Z", s.get("since").asText());

    assertEquals(204, send("DELETE", "/sessions/ovpn-1", TOKEN).statusCode());
    assertEquals("disconnected by an administrator", alice.closedReason());
    assertEquals(0, registry.size());
    assertEquals(404, send("DELETE", "/sessions/ovpn-1", TOKEN).statusCode());
  }

  @Test
  void metricsAreValidPrometheusText() throws Exception {
    metrics.handshakeSucceeded(VpnProtocol.OpenVPN, 3_000_000);
    metrics.handshakeFailed(
        VpnProtocol.OpenVPN, io.vpngateway.gateway.auth.RefusalReason.CERTIFICATE_REVOKED, 1_000_000);
    metrics.addDropSource("OpenVPN", () -> java.util.Map.of("Malformed", 1L));
    metrics.configReloaded(false);

    HttpResponse<String> response = get("/metrics", TOKEN);

    assertEquals(200, response.statusCode());
    assertTrue(
        response
            .headers()
            .firstValue("Content-Type")
            .orElseThrow()
            .startsWith("text/plain; version=0.0.4"));
    for (String line : response.body().split("\n")) {
      assertTrue(
          line.startsWith("# HELP ")
              || line.startsWith("# TYPE ")
              || SAMPLE.matcher(line).matches(),
          "not a valid exposition line: " + line);
    }
    String body = response.body();
    assertTrue(body.contains("vpngw_sessions{protocol=\"OpenVPN\"} 1\n"), body);
    assertTrue(body.contains("vpngw_session_bytes_total{direction=\"out\"} 2000\n"), body);
    assertTrue(
        body.contains(
            "vpngw_handshakes_total{protocol=\"OpenVPN\",result=\"failed\","
                + "reason=\"CertificateRevoked\"} 1\n"),
        body);
    assertTrue(
        body.contains(
            "vpngw_auth_latency_seconds_bucket{protocol=\"OpenVPN\"," + "le=\"0.005\"} 2\n"),
        body);
    assertTrue(body.contains("vpngw_auth_latency_seconds_count{protocol=\"OpenVPN\"} 2\n"), body);
    assertTrue(
        body.contains("vpngw_dropped_packets_total{protocol=\"OpenVPN\",reason=\"Malformed\"} 1\n"),
        body);
    assertTrue(body.contains("vpngw_config_reloads_total{result=\"rejected\"} 1\n"), body);
  }

  @Test
  void endedSessionsKeepTheirBytesInTheTotals() throws Exception {
    registry.onUnregister(metrics::sessionEnded);
    registry.unregister(alice);

    String body = get("/metrics", TOKEN).body();

    assertTrue(body.contains("vpngw_sessions{protocol=\"OpenVPN\"} 0\n"), body);
    assertTrue(body.contains("vpngw_session_bytes_total{direction=\"in\"} 1000\n"), body);
  }

  private HttpResponse<String> get(String path, String bearer) throws Exception {
    return send("GET", path, bearer);
  }

  private HttpResponse<String> send(String method, String path, String bearer) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
