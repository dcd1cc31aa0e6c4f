package io.vpngateway.gateway.auth.radius;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Status-Server as a watchdog (RFC 5997 section 4.4): every {@link #PERIOD}, each configured
 * server that is down (it failed a real exchange) or not yet seen is sent a Status-Server; an
 * answer brings it back at once into priority order (instead of after the {@link
 * RadiusServerHealth#HOLD_DOWN} and a real login spent on it) and sets its {@code
 * vpngw_radius_server_up} gauge, also before the first login. An unanswered probe never marks a
 * server down that real exchanges found up, nor one never seen: a server may not implement
 * Status-Server (FreeRADIUS needs {@code status_server = yes}), and only real exchanges judge it.
 * Probes go out on the RADIUS pool, one per server at a time.
 */
public final class RadiusStatusProbe implements Runnable {
  private static final System.Logger LOG = System.getLogger(RadiusStatusProbe.class.getName());

  /** How often down servers are probed. */
  public static final Duration PERIOD = Duration.ofSeconds(10);

  private final RadiusService service;
  private final Executor executor;
  private final java.util.Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public RadiusStatusProbe(RadiusService service, Executor executor) {
    this.service = service;
    this.executor = executor;
  }

  @Override
  public void run() {
    try {
      RadiusSettings settings = service.current();
      if (settings == null) {
        return;
      }
      for (RadiusServerEndpoint server : settings.servers()) {
        Optional<RadiusServerHealth.ServerState> state = service.health().state(server);
        if (state.isPresent() && state.get().up()) {
          continue;
        }
        if (inFlight.add(server.label())) {
          executor.execute(() -> probe(server, state.isPresent()));
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "RADIUS Status-Server probe failed: {0}", e.toString());
    }
  }

  private void probe(RadiusServerEndpoint server, boolean wasDown) {
    try {
      if (service.client().statusServer(server)) {
        if (wasDown) {
          LOG.log(System.Logger.Level.INFO,
              "RADIUS server {0} answers Status-Server again: back in priority order",
              server.label());
        }
      }
    } finally {
      inFlight.remove(server.label());
    }
  }
}
