package io.vpngateway.gateway.http;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.ExecutorThreadPool;

/**
 * One HTTP or HTTPS listener serving {@code com.sun.net.httpserver} handlers on Jetty 12 (its
 * {@code jetty-http-spi} adapter), instead of the JDK's own HTTP server.
 *
 * <p>Why not the JDK server: its dispatcher thread blocks in {@code selector.select(1000)}, hard
 * coded in {@code sun.net.httpserver.ServerImpl.Dispatcher.run} (still so in JDK 25), so every
 * listener wakes the process once a second with nothing to do, and its request/response deadline
 * timer ticks as well; on an idle gateway that was most of its wake-ups and CPU (BENCHMARKS.md).
 * Jetty's selector blocks in {@code select()} without a timeout, accepts on the same thread (no
 * acceptor thread), and times out a connection only while one is open, so an idle listener does
 * not run at all.
 *
 * <p>Limits: requests are read without holding a thread (Jetty parses them on the selector and
 * hands a complete request to the pool), so a client that sends half a request only holds a
 * connection, which {@link Limits#idleTimeout()} closes after that long without progress (also
 * when it does not read its response); at most {@link Limits#maxConnections()} connections are
 * open at once (beyond that the listener stops accepting until one closes); a request line and
 * headers larger than {@link Limits#maxHeaderBytes()} get 431. The pool's threads time out after a
 * minute without work, so after a burst the listener returns to no thread but its selector.
 */
public final class HttpListener implements AutoCloseable {
  /** Jetty logs its version and every start at INFO: keep the gateway's log to what matters. */
  private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");

  /** Warns of every bad Host header a client sends: the client's error, answered with 400. */
  private static final Logger HOST_PORT_LOG = Logger.getLogger("org.eclipse.jetty.util.HostPort");

  static {
    JETTY_LOG.setLevel(Level.WARNING);
    HOST_PORT_LOG.setLevel(Level.SEVERE);
  }

  /** One selector, no acceptor thread (the selector accepts): the pool's fixed cost. */
  private static final int SELECTOR_THREADS = 1;

  /**
   * Bounds of one listener.
   *
   * @param threads threads that run handlers (besides the selector)
   * @param maxConnections connections open at once
   * @param idleTimeout how long a connection may make no progress (reading a request, writing a
   *     response, or kept alive between requests)
   * @param maxHeaderBytes the request line and headers together
   */
  public record Limits(int threads, int maxConnections, Duration idleTimeout, int maxHeaderBytes) {}

  private final Server jetty;
  private final ServerConnector connector;
  private final InetSocketAddress requested;

  private HttpListener(Server jetty, ServerConnector connector, InetSocketAddress requested) {
    this.jetty = jetty;
    this.connector = connector;
    this.requested = requested;
  }

  /**
   * Binds {@code address} (port 0 picks a free port), serves every path with {@code handler} and
   * starts.
   *
   * @param name the pool's thread name
   * @param tls the server's TLS context, else plain HTTP
   * @throws IOException when the port cannot be bound or the listener cannot start
   */
  public static HttpListener start(
      String name,
      InetSocketAddress address,
      Optional<SSLContext> tls,
      Limits limits,
      HttpHandler handler)
      throws IOException {
    int threads = limits.threads() + SELECTOR_THREADS;
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true); // idle workers exit; none polls while idle
    ExecutorThreadPool pool = new ExecutorThreadPool(executor, 0);
    pool.setName(name);
    pool.setDaemon(true);
    Server jetty = new Server(pool);
    jetty.setStopTimeout(0);
    jetty.setHandler(new ContextHandlerCollection());

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ConnectionFactory[] factories;
    if (tls.isPresent()) {
      // No SNI host check: the operator and the sign-in's browsers reach the gateway by address
      // or by a Service name; the certificate's identity is the client's to verify.
      http.addCustomizer(new SecureRequestCustomizer(false));
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(tls.get());
      HttpConnectionFactory h1 = new HttpConnectionFactory(http);
      factories = new ConnectionFactory[] {new SslConnectionFactory(ssl, h1.getProtocol()), h1};
    } else {
      factories = new ConnectionFactory[] {new HttpConnectionFactory(http)};
    }
    ServerConnector connector = new ServerConnector(jetty, 0, SELECTOR_THREADS, factories);
    connector.setHost(address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(limits.maxConnections());
    jetty.addConnector(connector);
    jetty.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

    JettyHttpServer spi = new JettyHttpServer(jetty, true, http);
    spi.bind(address, limits.maxConnections()); // finds the connector above (shared server)
    spi.createContext("/", handler);
    HttpListener listener = new HttpListener(jetty, connector, address);
    try {
      jetty.start();
    } catch (Exception e) {
      listener.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    return listener;
  }

  /** The bound address (the real port when port 0 was asked). */
  public InetSocketAddress address() {
    return new InetSocketAddress(requested.getAddress(), connector.getLocalPort());
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      Logger.getLogger(HttpListener.class.getName())
          .log(Level.FINE, "stopping the listener on " + requested, e);
    }
  }
}
