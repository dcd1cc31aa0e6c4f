package io.vpngateway.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.testing.FakeSession;
import io.vpngateway.testing.Wait;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The liveness and readiness probes keep answering within the kubelet's default one-second timeout
 * while other clients hold the management port: half-sent requests and slow authenticated calls.
 */
class ManagementServerProbeIsolationTest {
  private static final String TOKEN = "mgmt-token-0123456789abcdef";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
  private final SessionRegistry registry = new SessionRegistry();
  private ManagementServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        ManagementServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
            registry,
            new GatewayMetrics(registry),
            () -> true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void probesAnswerWhileClientsHoldHalfSentRequests() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      // more than the old fixed pool of two threads, each stuck reading an unfinished header block
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
        OutputStream out = s.getOutputStream();
        out.write("GET /sessions HTTP/1.1\r\nHost: vpngw\r\nAuthor".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }

      assertProbesAnswerPromptly();
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void probesAnswerWhileEveryApiThreadIsBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger blocked = new AtomicInteger();
    registry.register(new StuckSession(release, blocked));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < ManagementServer.API_THREADS; i++) {
        calls.add(
            http.sendAsync(
                request("/sessions").header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      awaitCondition(
          () -> blocked.get() >= ManagementServer.API_THREADS, "both API threads are busy");

      assertProbesAnswerPromptly();
    } finally {
      release.countDown();
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertEquals(200, call.get(10, TimeUnit.SECONDS).statusCode());
    }
  }

  @Test
  void aHalfSentRequestIsClosedAfterTheIdleTimeoutWithoutAnAnswer() throws Exception {
    try (ManagementServer quick =
            ManagementServer.start(
                new ManagementServer.Listeners(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    Optional.empty(),
                    Optional.empty()),
                () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
                registry,
                new GatewayMetrics(registry),
                () -> true,
                List::of,
                Duration.ofMillis(500));
        Socket s = new Socket(InetAddress.getLoopbackAddress(), quick.address().getPort())) {
      s.setSoTimeout(10_000); // far beyond the idle timeout: a read that ends is the server's close
      OutputStream out = s.getOutputStream();
      out.write("GET /sessions HTTP/1.1\r\nHost: vpngw\r\nAuthor".getBytes(StandardCharsets.US_ASCII));
      out.flush();

      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
    }
  }

  @Test
  void anOversizedHeaderBlockGets431AndProbesStillAnswer() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
      s.setSoTimeout(10_000);
      String big = "X-Filler: " + "a".repeat(ManagementServer.MAX_HEADER_BYTES) + "\r\n";
      s.getOutputStream()
          .write(("GET /healthz HTTP/1.1\r\nHost: vpngw\r\n" + big + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();

      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
    }
    assertProbesAnswerPromptly();
  }

  @Test
  void authenticatedCallsBeyondTheQueueGet503AndProbesStillAnswer() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger blocked = new AtomicInteger();
    registry.register(new StuckSession(release, blocked));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < ManagementServer.API_THREADS + ManagementServer.API_QUEUE + 1; i++) {
        calls.add(
            http.sendAsync(
                request("/sessions").timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      awaitCondition(
          () ->
              calls.stream()
                  .anyMatch(
                      c -> c.isDone() && !c.isCompletedExceptionally() && c.join().statusCode() == 503),
          "the call beyond the queue is refused");
      assertEquals(ManagementServer.API_THREADS, blocked.get(), "only the API turns run");

      assertProbesAnswerPromptly();
    } finally {
      release.countDown();
    }
    long ok = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      if (call.get(20, TimeUnit.SECONDS).statusCode() == 200) {
        ok++;
      }
    }
    assertEquals(ManagementServer.API_THREADS + ManagementServer.API_QUEUE, ok);
  }

  private void assertProbesAnswerPromptly() throws Exception {
    for (String probe : List.of("/healthz", "/livez", "/readyz")) {
      long start = System.nanoTime();
      HttpResponse<String> r =
          http.send(request(probe).build(), HttpResponse.BodyHandlers.ofString());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(200, r.statusCode(), probe);
      assertTrue(took.compareTo(PROBE_TIMEOUT) < 0, probe + " took " + took);
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.address().getPort() + path))
        .timeout(PROBE_TIMEOUT);
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    Wait.until(what, Duration.ofSeconds(5), condition::getAsBoolean);
  }

  /** A session whose start time cannot be read until released: a slow {@code /sessions} call. */
  private static final class StuckSession implements TunnelSession {
    private final FakeSession base = new FakeSession("stuck-1", "bob", null, "10.200.0.9");
    private final CountDownLatch release;
    private final AtomicInteger blocked;

    StuckSession(CountDownLatch release, AtomicInteger blocked) {
      this.release = release;
      this.blocked = blocked;
    }

    @Override
    public Instant since() {
      blocked.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return base.since();
    }

    @Override
    public String id() {
      return base.id();
    }

    @Override
    public VpnProtocol protocol() {
      return base.protocol();
    }

    @Override
    public ClientIdentity identity() {
      return base.identity();
    }

    @Override
    public Inet4Address innerAddress() {
      return base.innerAddress();
    }

    @Override
    public InetSocketAddress outerAddress() {
      return base.outerAddress();
    }

    @Override
    public String cipher() {
      return base.cipher();
    }

    @Override
    public long bytesIn() {
      return base.bytesIn();
    }

    @Override
    public long bytesOut() {
      return base.bytesOut();
    }

    @Override
    public void deliverFromTun(ByteBuffer ipPacket) {}

    @Override
    public void close(String reason) {}
  }
}
