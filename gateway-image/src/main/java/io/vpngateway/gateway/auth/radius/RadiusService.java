package io.vpngateway.gateway.auth.radius;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.auth.radius.eap.EapRelay;
import io.vpngateway.gateway.config.ConfigListener;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's RADIUS side, built from the config and following its reloads: servers, secrets,
 * timeouts, retries, the group attribute and the password protocol apply to the next exchange
 * without a restart (a reload swaps one immutable {@link RadiusSettings}). Exchanges are blocking
 * and run on a bounded pool of their own, so no protocol thread ever waits for a RADIUS server;
 * the pool's queue is bounded by the admission budget in front of it.
 *
 * <p>Holds the one {@link RadiusClient}, {@link RadiusServerHealth} (metrics), the password
 * backend, the {@link EapRelay} and {@link RadiusAccounting}.
 */
public final class RadiusService implements ConfigListener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RadiusService.class.getName());
  /** Concurrent RADIUS exchanges; each mostly waits on a socket. */
  static final int THREADS = 64;

  private final RadiusServerHealth health = new RadiusServerHealth();
  private final ExecutorService executor;
  private final RadiusClient client;
  private final RadiusPasswordAuthenticator passwords;
  private final EapRelay eap;
  private final RadiusAccounting accounting;
  private volatile RadiusSettings settings;

  private RadiusService(RadiusSettings initial) {
    this.settings = initial;
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "radius-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.client = new RadiusClient(() -> settings, health);
    this.passwords = new RadiusPasswordAuthenticator(client);
    this.eap = new EapRelay(client, executor);
    this.accounting = new RadiusAccounting(client, executor);
  }

  /** A service with fixed initial settings (tests, benchmarks; reloads still apply). */
  public static RadiusService of(RadiusSettings settings) {
    return new RadiusService(settings);
  }

  /** The service for {@code config}, or empty when its {@code authentication.radius} is off. */
  public static Optional<RadiusService> of(RuntimeConfig config) {
    return settings(config).map(RadiusService::new);
  }

  /**
   * The settings a config describes; empty when RADIUS is off. The secrets were read and checked
   * by the config loader (a missing one rejects the whole config).
   */
  public static Optional<RadiusSettings> settings(RuntimeConfig config) {
    GatewayConfig.Radius r = config.document().authentication().radius();
    if (r == null) {
      return Optional.empty();
    }
    List<RadiusServerEndpoint> servers = new ArrayList<>();
    for (GatewayConfig.RadiusServer s : r.servers()) {
      SecretBytes secret = config.radiusSecrets().get(s.secretFile());
      if (secret == null) {
        throw new IllegalStateException("RADIUS secret file " + s.secretFile() + " not loaded");
      }
      servers.add(new RadiusServerEndpoint(
          s.address(),
          s.port(),
          s.accountingPort() > 0 ? s.accountingPort() : s.port() + 1,
          secret,
          s.priority(),
          Duration.ofMillis(s.timeoutMillis() > 0 ? s.timeoutMillis() : r.timeoutMillis())));
    }
    GatewayConfig.Metadata gw = config.document().gateway();
    String nas = gw == null ? "vpngw" : gw.namespace() + "/" + gw.name();
    return Optional.of(new RadiusSettings(
        servers,
        r.retries(),
        "MSCHAPv2".equals(r.passwordProtocol())
            ? RadiusSettings.PasswordProtocol.MSCHAPV2
            : RadiusSettings.PasswordProtocol.PAP,
        GroupAttributeSelector.parse(r.groupAttribute()),
        nas,
        r.requireMessageAuthenticator(),
        Duration.ofMillis(r.accountingInterimIntervalMillis())));
  }

  /** Whether the running config has RADIUS on (a reload may turn it off). */
  public boolean enabled() {
    return settings != null;
  }

  @Override
  public void onReload(RuntimeConfig previous, RuntimeConfig next) {
    RadiusSettings s = settings(next).orElse(null);
    if (s == null && settings != null) {
      LOG.log(System.Logger.Level.INFO, "RADIUS turned off: new logins by password are refused");
    }
    if (s != null) {
      settings = s;
    } else {
      settings = null;
    }
  }

  public RadiusSettings current() {
    return settings;
  }

  public RadiusServerHealth health() {
    return health;
  }

  public RadiusClient client() {
    return client;
  }

  public RadiusPasswordAuthenticator passwords() {
    return passwords;
  }

  public EapRelay eapRelay() {
    return eap;
  }

  public RadiusAccounting accounting() {
    return accounting;
  }

  public ExecutorService executor() {
    return executor;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
