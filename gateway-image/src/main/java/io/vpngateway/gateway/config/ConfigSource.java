package io.vpngateway.gateway.config;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.InvalidConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running configuration of the gateway and how it changes (DESIGN.md section 3). Holds the last
 * good {@link RuntimeConfig}; {@link #reload()} reads the directory again and either swaps the new
 * one in and tells the {@link ConfigListener}s, or rejects it with one log line and keeps the old
 * one. Reloads are serialised: the watcher thread and a manual trigger never interleave.
 */
public final class ConfigSource {
  private static final Logger LOG = Logger.getLogger(ConfigSource.class.getName());

  private final Path directory;
  private final ConfigDirectoryLoader loader;
  private final AtomicReference<RuntimeConfig> current = new AtomicReference<>();
  private final List<ConfigListener> listeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.Consumer<ReloadOutcome>> outcomeListeners =
      new CopyOnWriteArrayList<>();
  private final AtomicLong reloadsApplied = new AtomicLong();
  private final AtomicLong reloadsRejected = new AtomicLong();

  private ConfigSource(Path directory, ConfigDirectoryLoader loader, RuntimeConfig initial) {
    this.directory = directory;
    this.loader = loader;
    this.current.set(initial);
  }

  /** Loads {@code directory}; a gateway with no valid initial config does not start. */
  public static ConfigSource open(Path directory, ConfigDirectoryLoader loader)
      throws InvalidConfigException {
    return new ConfigSource(directory, loader, loader.load(directory));
  }

  public Path directory() {
    return directory;
  }

  /** The configuration in force; never null. */
  public RuntimeConfig current() {
    return current.get();
  }

  public void addListener(ConfigListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Told about every reload that applied or rejected a config (not about unchanged ones). */
  public void onOutcome(java.util.function.Consumer<ReloadOutcome> listener) {
    outcomeListeners.add(Objects.requireNonNull(listener));
  }

  public long reloadsApplied() {
    return reloadsApplied.get();
  }

  public long reloadsRejected() {
    return reloadsRejected.get();
  }

  /** Re-reads the directory and applies it when it changed and is valid. */
  public synchronized ReloadOutcome reload() {
    ReloadOutcome outcome = reloadOnce();
    if (outcome.result() != ReloadOutcome.Result.UNCHANGED) {
      outcomeListeners.forEach(l -> l.accept(outcome));
    }
    return outcome;
  }

  private ReloadOutcome reloadOnce() {
    RuntimeConfig previous = current.get();
    if (ConfigDirectoryLoader.fingerprint(directory).equals(previous.fingerprint())) {
      return new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, "no change", List.of());
    }
    RuntimeConfig next;
    try {
      next = loader.load(directory);
    } catch (InvalidConfigException e) {
      reloadsRejected.incrementAndGet();
      String message = "config reload rejected, keeping the running config: " + e.getMessage();
      LOG.warning(message);
      return new ReloadOutcome(ReloadOutcome.Result.REJECTED, message, List.of());
    }
    if (next.fingerprint().equals(previous.fingerprint())) {
      return new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, "no change", List.of());
    }
    List<String> restart = restartOnlyChanges(previous.document(), next.document());
    current.set(next);
    reloadsApplied.incrementAndGet();
    for (ConfigListener listener : listeners) {
      try {
        listener.onReload(previous, next);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "applying the reloaded config failed in " + listener, e);
      }
    }
    String message = "config reloaded from " + directory;
    if (!restart.isEmpty()) {
      message +=
          "; a restart is needed to apply "
              + String.join(", ", restart)
              + " (running with the previous values)";
      LOG.warning(message);
    } else {
      LOG.info(message);
    }
    return new ReloadOutcome(ReloadOutcome.Result.APPLIED, message, restart);
  }

  /**
   * The top-level settings covered by {@link GatewayConfig#restartFingerprint()} that differ: the
   * operator rolls the pods for these, a standalone user restarts {@code vpngw serve}.
   */
  static List<String> restartOnlyChanges(GatewayConfig before, GatewayConfig after) {
    List<String> changed = new ArrayList<>();
    if (before.restartFingerprint().equals(after.restartFingerprint())) {
      return changed;
    }
    if (before.version() != after.version()) {
      changed.add("version");
    }
    if (!before.protocols().equals(after.protocols())) {
      changed.add("protocols");
    }
    if (!Objects.equals(before.listen(), after.listen())) {
      changed.add("listen");
    }
    if (before.replicas() != after.replicas()) {
      changed.add("replicas");
    }
    if (!before.pools().equals(after.pools())) {
      changed.add("clientAddressPools");
    }
    if (!Objects.equals(before.management(), after.management())) {
      changed.add("management.port");
    }
    return changed;
  }
}
