package io.vpngateway.gateway.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vpngateway.gateway.admission.RefusalRecord;
import io.vpngateway.gateway.config.RuntimeConfig.ManagementTlsFiles;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The management API on its own port (JDK HTTP server, no framework), over TLS with a certificate
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
 * gateway. So requests are read, and probes answered, on a pool of up to {@value #IO_THREADS}
 * threads; authenticated calls ({@code /metrics}, {@code /sessions}) are handed to a separate pool
 * of {@value #API_THREADS} threads with a short queue ({@code 503} when it is full), so slow scrapes
 * or CLI calls never hold a thread that a probe needs. A client that opens a connection and sends
 * half a request holds a reading thread only until the JDK server's request deadline, which {@link
 * #boundRequestTimes()} sets (it must run before the first HTTP server of the process is created).
 * Probes can thus only be starved by {@value #IO_THREADS} connections holding half-sent requests at
 * once, each for at most {@value #MAX_REQUEST_SECONDS} s; a separate probe port removes even
 * that: the operator gives its pods one ({@code management.healthPort}).
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ManagementServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSIONS = "/sessions";
  private static final String REFUSALS = "/refusals";

  /** Threads that read requests and answer probes; connections beyond them are closed at once. */
  static final int IO_THREADS = 16;

  /** Threads that serve authenticated calls: a scrape and a CLI call at the same time. */
  static final int API_THREADS = 2;

  private static final int API_QUEUE = 16;

  /** Threads of the probes-only listener: the kubelet sends a few probes at a time. */
  static final int HEALTH_THREADS = 4;

  /** JDK HTTP server: seconds a client may take to send a whole request (line and headers). */
  static final String MAX_REQUEST_SECONDS_PROPERTY = "sun.net.httpserver.maxReqTime";

  /** JDK HTTP server: seconds a response may take to be written to the client. */
  static final String MAX_RESPONSE_SECONDS_PROPERTY = "sun.net.httpserver.maxRspTime";

  static final String MAX_REQUEST_SECONDS = "10";
  static final String MAX_RESPONSE_SECONDS = "30";

  private final HttpServer server;
  private HttpServer health;
  private final ExecutorService ioExecutor;
  private final ExecutorService healthExecutor;
  private final ExecutorService apiExecutor;
  private final BearerTokenCheck tokenCheck;
  private final SessionRegistry sessions;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<List<RefusalRecord>> refusals;

  private ManagementServer(
      HttpServer server,
      Supplier<SecretBytes> token,
      SessionRegistry sessions,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Supplier<List<RefusalRecord>> refusals) {
    this.server = server;
    this.refusals = refusals;
    this.tokenCheck = new BearerTokenCheck(token);
    this.sessions = sessions;
    this.metrics = metrics;
    this.ready = ready;
    // No queue: a connection that finds every reading thread busy is closed by the JDK server
    // (it catches the rejection) rather than waiting behind slow clients.
    this.ioExecutor =
        new ThreadPoolExecutor(
            1,
            IO_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemonThreads("management-http"));
    this.healthExecutor =
        new ThreadPoolExecutor(
            1,
            HEALTH_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemonThreads("management-health"));
    this.apiExecutor =
        new ThreadPoolExecutor(
            API_THREADS,
            API_THREADS,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(API_QUEUE),
            daemonThreads("management-api"));
  }

  /**
   * Bounds how long the JDK HTTP server waits for a request and for its response to be written
   * (see the class comment), unless the JVM was started with other values. The server reads these
   * once per process, so call this before any {@code HttpServer} is created; {@code vpngw} does it
   * first thing, and its launcher passes the same values on the command line.
   */
  public static void boundRequestTimes() {
    setIfAbsent(MAX_REQUEST_SECONDS_PROPERTY, MAX_REQUEST_SECONDS);
    setIfAbsent(MAX_RESPONSE_SECONDS_PROPERTY, MAX_RESPONSE_SECONDS);
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
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
    boundRequestTimes(); // in effect only if this is the process's first HTTP server
    HttpServer http;
    Optional<ManagementTlsFiles> first = listeners.tls().flatMap(Supplier::get);
    if (first.isPresent()) {
      HttpsServer https = HttpsServer.create(listeners.api(), 16);
      try {
        https.setHttpsConfigurator(
            new HttpsConfigurator(
                ManagementKeyManager.serverContext(listeners.tls().get(), first.get())));
      } catch (GeneralSecurityException e) {
        https.stop(0);
        throw new IOException("the management certificate cannot be served: " + e, e);
      }
      http = https;
    } else {
      http = HttpServer.create(listeners.api(), 16);
    }
    ManagementServer m = new ManagementServer(http, token, sessions, metrics, ready, refusals);
    http.createContext("/", m::handle);
    http.setExecutor(m.ioExecutor);
    if (listeners.health().isPresent()) {
      try {
        m.health = HttpServer.create(listeners.health().get(), 16);
      } catch (IOException e) {
        m.close();
        throw e;
      }
      m.health.createContext("/", m::handleHealth);
      m.health.setExecutor(m.healthExecutor);
      m.health.start();
    }
    http.start();
    return m;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Whether the management API speaks TLS. */
  public boolean tls() {
    return server instanceof HttpsServer;
  }

  /** The probes-only listener's address, when there is one. */
  public Optional<InetSocketAddress> healthAddress() {
    return Optional.ofNullable(health).map(HttpServer::getAddress);
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

  /** Runs on a reading thread: answers probes and refusals here, hands the rest to the API pool. */
  private void handle(HttpExchange exchange) throws IOException {
    boolean handedOff = false;
    try {
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
      try {
        apiExecutor.execute(() -> serveApi(exchange, method, path));
        handedOff = true;
      } catch (RejectedExecutionException e) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        text(exchange, 503, "too many management calls in progress\n");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "management request failed", e);
    } finally {
      if (!handedOff) {
        exchange.close();
      }
    }
  }

  private void serveApi(HttpExchange exchange, String method, String path) {
    try (exchange) {
      route(exchange, method, path);
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
    server.stop(0);
    if (health != null) {
      health.stop(0);
    }
    healthExecutor.shutdownNow();
    ioExecutor.shutdownNow();
    apiExecutor.shutdownNow();
  }
}
