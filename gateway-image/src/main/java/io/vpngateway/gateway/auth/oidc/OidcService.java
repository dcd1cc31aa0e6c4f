package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.ConfigListener;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.metrics.MetricsCollector;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's OIDC side, following the config: the issuer (discovery and cached keys), the token
 * validator, web sign-in and its HTTPS endpoint. A reload that changes the OIDC settings builds a
 * new issuer view (the key cache starts over); one that leaves them alone keeps it. The sign-in
 * endpoint starts, stops or moves with the settings and presents a renewed server certificate at
 * once; sign-ins already waiting keep the settings they started with.
 *
 * <p>Blocking work (discovery, key fetches, token checks) runs on a small pool of its own, never
 * on a protocol's control thread.
 */
public final class OidcService implements ConfigListener, MetricsCollector, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OidcService.class.getName());
  static final int THREADS = 4;
  static final int QUEUE = 512;

  /**
   * The settings in force.
   *
   * @param webSignInForAnyPassword whether web sign-in also takes clients that sent a password
   *     that is no token (true unless RADIUS checks such passwords)
   * @param signIn the sign-in context, empty when web sign-in is off or its endpoint is down
   */
  public record Current(
      OidcSettings settings,
      OidcIssuer issuer,
      OidcTokenValidator validator,
      Optional<WebSignIn.Context> signIn,
      boolean webSignInForAnyPassword) {}

  private final InetAddress listenAddress;
  private final Clock clock;
  private final WebSignIn webSignIn = new WebSignIn();
  private final ThreadPoolExecutor executor;
  private volatile Current current;
  private OidcCallbackServer server;

  private OidcService(InetAddress listenAddress, Clock clock) {
    this.listenAddress = listenAddress;
    this.clock = clock;
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "oidc-auth");
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * Starts with {@code config}: the sign-in endpoint listens at once when web sign-in is on.
   *
   * @throws IOException when the sign-in port cannot be bound
   */
  public static OidcService start(RuntimeConfig config, InetAddress listenAddress, Clock clock)
      throws IOException {
    OidcService s = new OidcService(listenAddress, clock);
    try {
      s.apply(config, true);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** The settings in force, or empty while OIDC is off. */
  public Optional<Current> current() {
    return Optional.ofNullable(current);
  }

  /** The issuer's metric name; read by the operator for the VpnGateway's issuer condition. */
  public static final String ISSUER_UP = "vpngw_oidc_issuer_up";

  /**
   * {@code vpngw_oidc_issuer_up{issuer}}: 1 when the last discovery or key-set exchange with the
   * issuer succeeded, 0 when it failed; no sample while OIDC is off or before the first exchange.
   */
  @Override
  public void collect(PrometheusTextWriter writer) {
    writer.family(
        ISSUER_UP,
        "gauge",
        "1 when the OIDC issuer answered the last discovery or key-set request, 0 when it did not.");
    Current c = current;
    if (c != null) {
      c.issuer()
          .reachable()
          .ifPresent(up -> writer.sample(ISSUER_UP, up ? 1 : 0, "issuer", c.settings().issuer().toString()));
    }
  }

  public WebSignIn webSignIn() {
    return webSignIn;
  }

  /** Where checks and sign-ins run. */
  public ExecutorService executor() {
    return executor;
  }

  /** The sign-in endpoint's address, while it listens. */
  public synchronized Optional<InetSocketAddress> signInAddress() {
    return server == null ? Optional.empty() : Optional.of(server.address());
  }

  @Override
  public void onReload(RuntimeConfig previous, RuntimeConfig next) {
    try {
      apply(next, false);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "OIDC settings could not be applied: " + e.getMessage(), e);
    }
  }

  private synchronized void apply(RuntimeConfig config, boolean starting) throws IOException {
    GatewayConfig doc = config.document();
    GatewayConfig.Oidc oidc = doc.authentication().oidc();
    if (oidc == null || !doc.enables(VpnProtocol.OpenVPN)) {
      if (current != null) {
        LOG.info("OIDC authentication is off");
      }
      current = null;
      stopServer();
      return;
    }
    OidcSettings settings = settings(oidc, config);
    Current before = current;
    OidcIssuer issuer;
    OidcTokenValidator validator;
    if (before != null && before.settings().equals(settings)) {
      issuer = before.issuer();
      validator = before.validator();
    } else {
      issuer = new OidcIssuer(settings, new IssuerHttpClient(settings.issuerRoots()), clock);
      validator = new OidcTokenValidator(issuer, clock);
      prefetch(issuer);
    }
    Optional<WebSignIn.Context> signIn = Optional.empty();
    if (settings.webSignInEnabled()) {
      signIn = startSignIn(config, settings, issuer, validator, starting);
    } else {
      stopServer();
    }
    current =
        new Current(
            settings, issuer, validator, signIn, doc.authentication().radius() == null);
    LOG.info(
        "OIDC: issuer "
            + settings.issuer()
            + ", audience "
            + settings.audience()
            + (signIn.isPresent()
                ? ", web sign-in at " + signIn.get().redirectUri() + " (client " + settings.clientId().get() + ")"
                : ", tokens as passwords only"));
  }

  private Optional<WebSignIn.Context> startSignIn(
      RuntimeConfig config,
      OidcSettings settings,
      OidcIssuer issuer,
      OidcTokenValidator validator,
      boolean starting)
      throws IOException {
    int port = settings.callbackPort();
    if (server != null && server.address().getPort() != port) {
      stopServer();
    }
    if (server == null) {
      try {
        server =
            OidcCallbackServer.start(
                new InetSocketAddress(listenAddress, port),
                config.serverCertificateChain(),
                config.serverKey(),
                webSignIn);
      } catch (IOException e) {
        if (starting) {
          throw new IOException("the OIDC sign-in endpoint cannot listen on port " + port, e);
        }
        LOG.warning(
            "the OIDC sign-in endpoint cannot listen on port "
                + port
                + " ("
                + e.getMessage()
                + "): web sign-in refuses clients until it can");
        return Optional.empty();
      }
    } else {
      server.updateCertificate(config.serverCertificateChain(), config.serverKey());
    }
    URI redirect =
        settings.redirectUri().orElseGet(() -> defaultRedirect(config.serverCertificate(), port));
    return Optional.of(new WebSignIn.Context(issuer, validator, redirect));
  }

  /** Discovery and keys fetched ahead of the first client; a failure is only logged here. */
  private void prefetch(OidcIssuer issuer) {
    try {
      executor.execute(
          () -> {
            try {
              issuer.metadata();
            } catch (IssuerUnreachableException e) {
              LOG.warning(
                  "OIDC issuer unreachable ("
                      + e.getMessage()
                      + "): new OIDC clients are refused until it answers; live sessions stay");
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // busy: the first client fetches it
    }
  }

  static OidcSettings settings(GatewayConfig.Oidc o, RuntimeConfig config) {
    return new OidcSettings(
        URI.create(o.issuerUrl()),
        o.audience(),
        Optional.ofNullable(o.clientId()),
        config.oidcFiles().clientSecret(),
        o.groupsClaim(),
        o.allowedGroups(),
        o.scopes(),
        Duration.ofMillis(o.clockSkewMillis()),
        Optional.ofNullable(o.redirectUrl()).map(URI::create),
        o.effectiveCallbackPort(),
        Duration.ofMillis(
            o.signInTimeoutMillis() == 0
                ? GatewayConfig.Oidc.DEFAULT_SIGN_IN_TIMEOUT_MILLIS
                : o.signInTimeoutMillis()),
        config.oidcFiles().issuerRoots());
  }

  /**
   * {@code https://<first DNS name, else first IP address of the certificate>:<port>/oidc/callback}:
   * a name the certificate proves, so browsers accept the endpoint's TLS.
   */
  static URI defaultRedirect(X509Certificate serverCertificate, int port) {
    String host = null;
    try {
      Collection<List<?>> sans = serverCertificate.getSubjectAlternativeNames();
      if (sans != null) {
        host = firstSan(sans, 2);
        if (host == null) {
          host = firstSan(sans, 7);
          if (host != null && host.contains(":")) {
            host = "[" + host + "]";
          }
        }
      }
    } catch (CertificateParsingException e) {
      // fall through to localhost below: logged by whoever sees the sign-in fail
    }
    if (host == null) {
      host = "localhost";
    }
    return URI.create("https://" + host + ":" + port + "/oidc/callback");
  }

  private static String firstSan(Collection<List<?>> sans, int type) {
    for (List<?> san : sans) {
      if (san.size() >= 2 && Integer.valueOf(type).equals(san.get(0))) {
        return String.valueOf(san.get(1));
      }
    }
    return null;
  }

  private void stopServer() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  public synchronized void close() {
    current = null;
    stopServer();
    webSignIn.close();
    executor.shutdownNow();
  }
}
