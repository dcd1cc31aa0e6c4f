package io.vpngateway.gateway.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.vpngateway.gateway.admission.RefusalRecord;
import io.vpngateway.gateway.config.RuntimeConfig.ManagementTlsFiles;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.http.HttpListener;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The management API on its own port ({@link HttpListener}: Jetty, no framework), over TLS with a certificate
 * of the gateway's CA when the config names one ({@link ManagementKeyManager}), plus an optional
 * plain-HTTP port that answers the probes only (the kubelet's; it cannot verify our CA):
 *
 * <pre>
 *   GET    /healthz, /livez  200 while the process serves requests          (no token)
 *   GET    /readyz           200 once the protocol servers listen, else 503 (no token)
 *   GET    /metrics          Prometheus text format                         (token)
 *   GET    /sessions         JSON array of {@link SessionView}               (token)
 *   GET    /refusals         JSON array of recent refusals, oldest first     (token)
 *   DELETE /sessions/{id}    ends one session: 204, or 404 if unknown        (token)
 * </pre>
 *
 * Everything but the probes needs {@code Authorization: Bearer <management token>}; anything else
 * gets 401. The probes are open because the kubelet cannot present a secret without it being
 * written into the pod spec, and they reveal nothing but "up" and "ready".
 *
 * <p>Probes must keep answering however the port is (mis)used, or the kubelet restarts a healthy
 * gateway. Requests are read without holding a thread (a half-sent request holds only its
 * connection, closed after {@value #IDLE_TIMEOUT_SECONDS} s without progress); probes and refusals
 * are answered on a pool of {@value #IO_THREADS} threads that authenticated calls ({@code
 * /metrics}, {@code /sessions}) cannot fill: at most {@value #API_THREADS} of those run at once,
 * {@value #API_QUEUE} more wait, and the rest get {@code 503}, the pool having room for all of
 * them besides its {@value #IO_THREADS}. So slow scrapes or CLI calls never hold a thread that a
 * probe needs. Probes can thus only be starved by {@value #MAX_CONNECTIONS} connections held open
 * at once; a separate probe port removes even that: the operator gives its pods one ({@code
 * management.healthPort}).
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ManagementServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSIONS = "/sessions";
  private static final String REFUSALS = "/refusals";

  /** Threads that answer probes and refusals, besides those authenticated calls may take. */
  static final int IO_THREADS = 16;

  /** Authenticated calls served at once: a scrape and a CLI call at the same time. */
  static final int API_THREADS = 2;

  /** Authenticated calls that wait for one of {@link #API_THREADS}; beyond them, 503. */
  static final int API_QUEUE = 16;

  /** Threads of the probes-only listener: the kubelet sends a few probes at a time. */
  static final int HEALTH_THREADS = 4;

  /** Connections open at once on the API port (the health port: {@value #HEALTH_CONNECTIONS}). */
  static final int MAX_CONNECTIONS = 64;

  static final int HEALTH_CONNECTIONS = 16;

  /**
   * Seconds a connection may make no progress: a client gets this long for each part of its
   * request and to take each part of the response, and a kept-alive connection closes after it.
   */
  static final int IDLE_TIMEOUT_SECONDS = 10;

  /** The request line and headers: a bearer token and a few headers fit many times over. */
  static final int MAX_HEADER_BYTES = 8192;

  private HttpListener server;
  private HttpListener health;
  private final boolean tls;
  private final Semaphore apiRunning = new Semaphore(API_THREADS, true);
  private final AtomicInteger apiAdmitted = new AtomicInteger();
  private final BearerTokenCheck tokenCheck;
  private final SessionRegistry sessions;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<List<RefusalRecord>> refusals;

  private ManagementServer(
      boolean tls,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Supplier<List<RefusalRecord>> refusals) {
    this.tls = tls;
    this.refusals = refusals;
    this.tokenCheck = new BearerTokenCheck(token);
    this.sessions = sessions;
    this.metrics = metrics;
    this.ready = ready;
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
    return start(address, token, sessions, metrics, ready, List::of);
  }

  /**
   * As {@link #start(InetSocketAddress, Supplier, SessionRegistry, GatewayMetrics,
   * BooleanSupplier)}, with the admission's recent refusals for {@code GET /refusals}.
   */
  public static ManagementServer start(
      InetSocketAddress address,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Supplier<List<RefusalRecord>> refusals)
      throws IOException {
    return start(
        new Listeners(address, Optional.empty(), Optional.empty()),
        token,
        sessions,
        metrics,
        ready,
        refusals);
  }

  /**
   * Where the management API listens and how.
   *
   * @param api the management API's address (port 0 picks a free port)
   * @param tls its certificate and key (read again at every handshake), else plain HTTP
   * @param health a plain-HTTP listener that answers the probes only, for the kubelet
   */
  public record Listeners(
      InetSocketAddress api,
      Optional<Supplier<Optional<ManagementTlsFiles>>> tls,
      Optional<InetSocketAddress> health) {}

  /** Binds the listeners and starts serving. */
  public static ManagementServer start(
      Listeners listeners,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Supplier<List<RefusalRecord>> refusals)
      throws IOException {
    return start(
        listeners,
        token,
        sessions,
        metrics,
        ready,
        refusals,
        Duration.ofSeconds(IDLE_TIMEOUT_SECONDS));
  }

  /** As above with another idle timeout (tests: a short one). */
  static ManagementServer start(
      Listeners listeners,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Supplier<List<RefusalRecord>> refusals,
      Duration idleTimeout)
      throws IOException {
    Optional<SSLContext> context = Optional.empty();
    Optional<ManagementTlsFiles> first = listeners.tls().flatMap(Supplier::get);
    if (first.isPresent()) {
      try {
        context =
            Optional.of(ManagementKeyManager.serverContext(listeners.tls().get(), first.get()));
      } catch (GeneralSecurityException e) {
        throw new IOException("the management certificate cannot be served: " + e, e);
      }
    }
    ManagementServer m =
        new ManagementServer(context.isPresent(), token, sessions, metrics, ready, refusals);
    try {
      if (listeners.health().isPresent()) {
        m.health =
            HttpListener.start(
                "management-health",
                listeners.health().get(),
                Optional.empty(),
                new HttpListener.Limits(
                    HEALTH_THREADS, HEALTH_CONNECTIONS, idleTimeout, MAX_HEADER_BYTES),
                m::handleHealth);
      }
      // room for every authenticated call admitted besides the threads probes need
      int threads = IO_THREADS + API_THREADS + API_QUEUE;
      m.server =
          HttpListener.start(
              "management-http",
              listeners.api(),
              context,
              new HttpListener.Limits(threads, MAX_CONNECTIONS, idleTimeout, MAX_HEADER_BYTES),
              m::handle);
    } catch (IOException e) {
      m.close();
      throw e;
    }
    return m;
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** Whether the management API speaks TLS. */
  public boolean tls() {
    return tls;
  }

  /** The probes-only listener's address, when there is one. */
  public Optional<InetSocketAddress> healthAddress() {
    return Optional.ofNullable(health).map(HttpListener::address);
  }

  /** The health listener: probes and nothing else, so it never reads a token or a session. */
  private void handleHealth(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!answerProbe(exchange, exchange.getRequestURI().getPath())) {
        text(exchange, 404, "this port answers /healthz, /livez and /readyz only\n");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "health request failed", e);
    }
  }

  /** Answers {@code path} when it is a probe; false when it is not one. */
  private boolean answerProbe(HttpExchange exchange, String path) throws IOException {
    if (path.equals("/healthz") || path.equals("/livez")) {
      text(exchange, 200, "ok\n");
      return true;
    }
    if (path.equals("/readyz")) {
      boolean isReady = ready.getAsBoolean();
      text(exchange, isReady ? 200 : 503, isReady ? "ready\n" : "not ready\n");
      return true;
    }
    return false;
  }

  /**
   * Answers probes and refusals at once; an authenticated call waits for one of {@link
   * #API_THREADS} turns, or gets 503 when {@link #API_QUEUE} calls already wait.
   */
  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (answerProbe(exchange, path)) {
        return;
      }
      if (!tokenCheck.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"vpngw\"");
        text(exchange, 401, "a valid bearer token is required\n");
        return;
      }
      if (apiAdmitted.incrementAndGet() > API_THREADS + API_QUEUE) {
        apiAdmitted.decrementAndGet();
        exchange.getResponseHeaders().set("Retry-After", "1");
        text(exchange, 503, "too many management calls in progress\n");
        return;
      }
      try {
        apiRunning.acquire();
        try {
          route(exchange, method, path);
        } finally {
          apiRunning.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the listener is stopping
      } finally {
        apiAdmitted.decrementAndGet();
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "management client went away", e);
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
    } else if (path.equals(REFUSALS) && method.equals("GET")) {
      send(exchange, 200, "application/json", JSON.writeValueAsString(refusals.get()));
    } else if (path.startsWith(SESSIONS + "/") && method.equals("DELETE")) {
      disconnect(exchange, path.substring(SESSIONS.length() + 1));
    } else if (path.equals("/metrics") || path.startsWith(SESSIONS) || path.equals(REFUSALS)) {
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
    if (server != null) {
      server.close();
    }
    if (health != null) {
      health.close();
    }
  }
}
