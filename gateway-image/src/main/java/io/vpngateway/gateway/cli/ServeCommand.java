package io.vpngateway.gateway.cli;

import io.vpngateway.api.config.InvalidConfigException;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.runtime.Gateway;
import io.vpngateway.gateway.runtime.GatewayOptions;
import io.vpngateway.gateway.runtime.ReplicaIdentity;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.standalone.GatewayFileWatcher;
import io.vpngateway.gateway.standalone.StandaloneException;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpngw serve}: runs the gateway until SIGTERM/SIGINT.
 *
 * <ul>
 *   <li>{@code --config /etc/vpngw/config.yaml}: the operator-rendered document and its files (a
 *       mounted Secret), replica ordinal from the pod name;
 *   <li>{@code -f gateway.yaml --state-dir DIR}: standalone, from a VpnGateway file; CA, server
 *       certificate and keys are made in DIR on first start and reused after.
 * </ul>
 */
@Command(name = "serve", description = "Run the gateway.", sortOptions = false)
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The rendered config document (config.yaml) beside its files.")
  Path config;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "VPNGATEWAY.yaml",
      description = "Standalone: a VpnGateway resource file (needs --state-dir).")
  Path gatewayFile;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Standalone: where the CA, certificates and keys live.")
  Path stateDir;

  @Option(
      names = "--endpoint",
      paramLabel = "HOST",
      description =
          "Standalone: a name or address clients dial (repeatable); goes into the server"
              + " certificate. Default: the stored ones, else this host's name and addresses.")
  List<String> endpoints = new ArrayList<>();

  @Option(names = "--tun", defaultValue = "vpngw0", description = "TUN interface name.")
  String tun;

  @Option(
      names = "--queues",
      description = "TUN queues / data-plane workers (default: cores, max 4).")
  Integer queues;

  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0",
      description = "Address the protocol servers bind.")
  String listen;

  @Option(
      names = "--management",
      paramLabel = "ADDRESS:PORT",
      description =
          "Management API address. Default: the config's port on 127.0.0.1 standalone (-f), on"
              + " 0.0.0.0 with --config (a pod, reached by the operator).")
  String management;

  @Option(
      names = "--health",
      paramLabel = "ADDRESS:PORT",
      description =
          "Probes-only plain-HTTP listener (/healthz, /readyz). Default: the management address"
              + " with the config's management.healthPort.")
  String health;

  @Option(names = "--openvpn-udp-port", description = "Override the config's OpenVPN UDP port.")
  Integer openVpnUdpPort;

  @Option(names = "--openvpn-tcp-port", description = "Override the config's OpenVPN TCP port.")
  Integer openVpnTcpPort;

  @Option(
      names = "--port",
      paramLabel = "NAME=PORT",
      description =
          "Override a listen port of the config (repeatable): openvpnUdp, openvpnTcp, ike, ikeNatT"
              + " or sstp; -1 turns that listener off.")
  Map<String, Integer> ports = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    boolean standalone = gatewayFile != null;
    if (standalone == (config != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give either --config FILE or -f VPNGATEWAY.yaml --state-dir DIR");
    }
    if (standalone && stateDir == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "-f needs --state-dir DIR (where the CA and keys are kept)");
    }
    // before anything slow (JVM warm-up, key generation, the state lock): a SIGTERM during the
    // start (a bench tearing down, a pod deleted) exited with no line at all, an empty log
    AtomicReference<Runnable> onStop =
        new AtomicReference<>(
            () ->
                LOG.warning(
                    "stopping before the gateway was ready: a signal (SIGTERM, SIGINT) or an exit"
                        + " during its start"));
    Thread hook = new Thread(() -> onStop.get().run(), "vpngw-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.info(
        () ->
            "vpngw serve starting, pid "
                + ProcessHandle.current().pid()
                + ", Java "
                + Runtime.version());
    try {
      return serve(standalone, onStop);
    } catch (Exception | Error e) {
      // the failure's own line says why (Vpngw.handleFailure, or the uncaught error's trace)
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway: one more line
      }
      throw e;
    }
  }

  private int serve(boolean standalone, AtomicReference<Runnable> onStop) throws Exception {
    Path dir;
    StateDirectory state = null;
    byte[] gatewayFileContent = null;
    if (standalone) {
      try {
        gatewayFileContent = Files.readAllBytes(gatewayFile);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new UserException(gatewayFile + " does not exist");
      }
      GatewayFile file = GatewayFile.parse(gatewayFileContent, gatewayFile.toString());
      state = StateDirectory.open(stateDir.toAbsolutePath());
      state.prepare(file, endpoints, Instant.now());
      dir = state.path();
    } else {
      if (!config.getFileName().toString().equals(ConfigDirectoryLoader.CONFIG_FILE)) {
        throw new UserException(
            "--config must name the "
                + ConfigDirectoryLoader.CONFIG_FILE
                + " of a config directory, got "
                + config);
      }
      dir = config.toAbsolutePath().getParent();
    }
    ConfigSource source;
    try {
      source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    } catch (InvalidConfigException e) {
      if (!standalone) {
        throw e;
      }
      // the operator copies referenced Secrets into the config; standalone, the user does
      throw new UserException(
          e.getMessage()
              + " (standalone: add each Secret the VpnGateway references, such as trusted roots"
              + " and RADIUS secrets, as a Secret document of the same file)",
          e);
    }
    int replicas = source.current().document().replicas();
    ReplicaIdentity replica =
        standalone
            ? ReplicaIdentity.standalone()
            : ReplicaIdentity.fromHostname(hostname(), replicas);
    Gateway gateway = Gateway.start(source, options(replica, standalone));
    CountDownLatch stopped = new CountDownLatch(1);
    ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor();
    AutoCloseable fileWatch = () -> {};
    if (state != null) {
      StateDirectory s = state;
      maintenance.scheduleWithFixedDelay(() -> refreshCrl(s), 12, 12, TimeUnit.HOURS);
      fileWatch = new GatewayFileWatcher(gatewayFile, state, gatewayFileContent).start();
    }
    AutoCloseable stopWatching = fileWatch;
    onStop.set(
        () -> {
          LOG.info("stopping the gateway");
          maintenance.shutdownNow();
          try {
            stopWatching.close();
          } catch (Exception e) {
            LOG.fine("closing the gateway-file watch: " + e.getMessage());
          }
          gateway.close();
          stopped.countDown();
        });
    stopped.await();
    return 0;
  }

  GatewayOptions options(ReplicaIdentity replica, boolean standalone)
      throws UserException {
    Map<String, Integer> overrides = new LinkedHashMap<>();
    // the OpenVPN options predate --port: giving one of them turns the other transport off
    if (openVpnUdpPort != null || openVpnTcpPort != null) {
      overrides.put("openvpnUdp", openVpnUdpPort == null ? -1 : openVpnUdpPort);
      overrides.put("openvpnTcp", openVpnTcpPort == null ? -1 : openVpnTcpPort);
    }
    overrides.putAll(ports);
    InetSocketAddress managementAddress = managementAddress(standalone);
    InetSocketAddress healthAddress =
        health == null
            ? new InetSocketAddress(managementAddress.getAddress(), 0)
            : hostPort(health, "--health");
    try {
      return new GatewayOptions(
          tun,
          queues == null ? GatewayOptions.defaultQueues() : queues,
          address(listen, "--listen"),
          managementAddress,
          replica,
          overrides,
          healthAddress);
    } catch (IllegalArgumentException e) {
      throw new UserException("--port: " + e.getMessage());
    }
  }

  /**
   * Standalone, the management API is for the administrator on this host: loopback unless told
   * otherwise. In a pod, the operator reaches it on the pod IP (a NetworkPolicy admits only it).
   */
  private InetSocketAddress managementAddress(boolean standalone) throws UserException {
    if (management == null) {
      String host = standalone ? DEFAULT_STANDALONE_MANAGEMENT : "0.0.0.0";
      return new InetSocketAddress(address(host, "--management"), 0);
    }
    return hostPort(management, "--management");
  }

  /** Where {@code vpngw serve -f} binds the management API unless {@code --management} says. */
  static final String DEFAULT_STANDALONE_MANAGEMENT = "127.0.0.1";

  private static InetSocketAddress hostPort(String text, String option) throws UserException {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new UserException(option + " must be ADDRESS:PORT, got " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      return new InetSocketAddress(address(host, option), port);
    } catch (IllegalArgumentException e) {
      throw new UserException(option + " must be ADDRESS:PORT, got " + text);
    }
  }

  private static InetAddress address(String text, String option) throws UserException {
    if (!text.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      throw new UserException(option + " takes an IP address, got " + text);
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new UserException(option + " takes an IP address, got " + text);
    }
  }

  /** The pod name (the operator sets POD_NAME from the downward API), else the host name. */
  private static String hostname() {
    for (String variable : new String[] {"POD_NAME", "HOSTNAME"}) {
      String env = System.getenv(variable);
      if (env != null && !env.isBlank()) {
        return env;
      }
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "";
    }
  }

  private static void refreshCrl(StateDirectory state) {
    try {
      state.refreshCrl(Instant.now());
    } catch (StandaloneException e) {
      LOG.warning("cannot refresh the CRL: " + e.getMessage());
    }
  }
}
