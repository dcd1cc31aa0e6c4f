package io.vpngateway.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.testing.FakeSession;
import io.vpngateway.gateway.testing.Fuzzing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the management API's request handling: the bearer-token check on any {@code
 * Authorization} header (never throws, accepts only the exact token), and whole raw HTTP requests
 * (request line, headers, paths, methods, bodies; with and without the token) sent to a real
 * {@link ManagementServer} on loopback, after each of which the server still answers its probe and
 * still serves the API. One server for the whole class, as one gateway serves every caller.
 * {@code JAZZER_FUZZ=1 mvn -pl gateway-image test -Dtest='ManagementRequestFuzzTest#rawRequest'}
 * fuzzes for real; the {@code @Test}s run seeded mutations in every build.
 */
class ManagementRequestFuzzTest {
  static {
    Fuzzing.scope();
  }

  private static final String TOKEN = "mgmt-fuzz-token-0123456789abcdef";
  private static final BearerTokenCheck CHECK =
      new BearerTokenCheck(() -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)));
  private static ManagementServer server;
  private static SessionRegistry registry;

  @FuzzTest(maxDuration = "60s")
  void authorizationHeader(byte[] data) {
    String header = new String(data, StandardCharsets.UTF_8);
    boolean accepted = CHECK.accepts(header);
    if (accepted && !header.substring(7).trim().equals(TOKEN)) {
      throw new AssertionError("accepted a header without the token: " + header);
    }
  }

  @FuzzTest(maxDuration = "120s")
  void rawRequest(byte[] data) {
    InetSocketAddress at = server().address();
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(data);
      out.flush();
      s.shutdownOutput();
    } catch (IOException e) {
      // the server may close on garbage before reading it all: that is its right
    }
    String health = request("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if (!health.startsWith("HTTP/1.1 200")) {
      throw new AssertionError("the probe failed after " + Fuzzing.hex(data) + ": " + health);
    }
  }

  @Test
  void mutatedAuthorizationHeaders() {
    assertTrue(CHECK.accepts("Bearer " + TOKEN));
    assertTrue(CHECK.accepts("bearer   " + TOKEN + " "));
    assertFalse(CHECK.accepts("Bearer " + TOKEN.substring(1)));
    assertFalse(CHECK.accepts("Bearer"));
    Fuzzing.mutateAndRun(List.of(("Bearer " + TOKEN).getBytes(StandardCharsets.UTF_8),
        "Basic dXNlcjpwYXNz".getBytes(StandardCharsets.UTF_8)), 0xBEA7E5, 20_000,
        this::authorizationHeader);
  }

  @Test
  void mutatedRawRequests() {
    String auth = "Authorization: Bearer " + TOKEN + "\r\n";
    List<byte[]> seeds = List.of(
        ("GET /sessions HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n").getBytes(StandardCharsets.UTF_8),
        ("DELETE /sessions/ovpn-1 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n")
            .getBytes(StandardCharsets.UTF_8),
        ("GET /metrics HTTP/1.0\r\n" + auth + "\r\n").getBytes(StandardCharsets.UTF_8),
        ("POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" + auth + "\r\nhello")
            .getBytes(StandardCharsets.UTF_8),
        "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    Fuzzing.mutateAndRun(seeds, 0x4477, 300, this::rawRequest);
    // the API still serves an authenticated caller after all of it
    String sessions = request("GET /sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth
        + "\r\n");
    assertTrue(sessions.startsWith("HTTP/1.1 200"), sessions);
    assertEquals(-1, request("GET /sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .indexOf("200 OK"), "no token, no sessions");
  }

  private static synchronized ManagementServer server() {
    if (server == null) {
      registry = new SessionRegistry();
      registry.register(new FakeSession("ovpn-1", "alice", "ab".repeat(32), "10.200.0.2"));
      try {
        server = ManagementServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)), registry,
            new GatewayMetrics(registry), () -> true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
    return server;
  }

  private static String request(String text) {
    InetSocketAddress at = server().address();
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "no answer: " + e;
    }
  }
}
