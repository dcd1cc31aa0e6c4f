package io.vpngateway.gateway.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The management API on its own port (JDK HTTP server, no framework):
 *
 * <pre>
 *   GET    /healthz, /livez  200 while the process serves requests          (no token)
 *   GET    /readyz           200 once the protocol servers listen, else 503 (no token)
 *   GET    /metrics          Prometheus text format                         (token)
 *   GET    /sessions         JSON array of {@link SessionView}               (token)
 *   DELETE /sessions/{id}    ends one session: 204, or 404 if unknown        (token)
 * </pre>
 *
 * Everything but the probes needs {@code Authorization: Bearer <management token>}; anything else
 * gets 401. The probes are open because the kubelet cannot present a secret without it being
 * written into the pod spec, and they reveal nothing but "up" and "ready".
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ManagementServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSIONS = "/sessions";

  private final HttpServer server;
  private final ExecutorService executor;
  private final BearerTokenCheck tokenCheck;
  private final SessionRegistry sessions;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;

  private ManagementServer(
      HttpServer server,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready) {
    this.server = server;
    this.tokenCheck = new BearerTokenCheck(token);
    this.sessions = sessions;
    this.metrics = metrics;
    this.ready = ready;
    // two threads: a scrape and a CLI call at the same time; the API is not a hot path
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "management-http");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Binds {@code address} (port 0 picks a free port) and starts serving.
   *
   * @param token the current management token; read per request so a reload applies at once
   * @param ready whether the gateway serves clients (the readiness probe)
   */
  public static ManagementServer start(
      InetSocketAddress address,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready)
      throws IOException {
    HttpServer http = HttpServer.create(address, 16);
    ManagementServer m = new ManagementServer(http, token, sessions, metrics, ready);
    http.createContext("/", m::handle);
    http.setExecutor(m.executor);
    http.start();
    return m;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/healthz") || path.equals("/livez")) {
        text(exchange, 200, "ok\n");
        return;
      }
      if (path.equals("/readyz")) {
        boolean isReady = ready.getAsBoolean();
        text(exchange, isReady ? 200 : 503, isReady ? "ready\n" : "not ready\n");
        return;
      }
      if (!tokenCheck.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"vpngw\"");
        text(exchange, 401, "a valid bearer token is required\n");
        return;
      }
      route(exchange, method, path);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "management request failed", e);
    }
  }

  private void route(HttpExchange exchange, String method, String path) throws IOException {
    if (path.equals("/metrics") && method.equals("GET")) {
      send(exchange, 200, PrometheusTextWriter.CONTENT_TYPE, metrics.scrape());
    } else if (path.equals(SESSIONS) && method.equals("GET")) {
      List<SessionView> views =
          sessions.all().stream()
              .sorted(Comparator.comparing(TunnelSession::since))
              .map(SessionView::of)
              .toList();
      send(exchange, 200, "application/json", JSON.writeValueAsString(views));
    } else if (path.startsWith(SESSIONS + "/") && method.equals("DELETE")) {
      disconnect(exchange, path.substring(SESSIONS.length() + 1));
    } else if (path.equals("/metrics") || path.startsWith(SESSIONS)) {
      text(exchange, 405, "method " + method + " not allowed on " + path + "\n");
    } else {
      text(exchange, 404, "no such endpoint: " + path + "\n");
    }
  }

  private void disconnect(HttpExchange exchange, String id) throws IOException {
    Optional<TunnelSession> session = sessions.byId(id);
    if (session.isEmpty()) {
      text(exchange, 404, "no session with id " + id + "\n");
      return;
    }
    TunnelSession s = session.get();
    LOG.info("disconnecting session " + s.id() + " (" + s.identity().name() + ") on request");
    s.close("disconnected by an administrator");
    sessions.unregister(s);
    exchange.sendResponseHeaders(204, -1);
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    send(exchange, status, "text/plain; charset=utf-8", body);
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
