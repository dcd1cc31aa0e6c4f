package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.config.ConfigDirectoryWatcher;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.ReloadOutcome;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.dataplane.DataPlane;
import io.vpngateway.gateway.dataplane.DataPlaneOptions;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.gateway.management.ManagementServer;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.InterfaceCounters;
import io.vpngateway.gateway.net.HostNetworkConfigurator;
import io.vpngateway.gateway.net.ProcessCommandRunner;
import io.vpngateway.gateway.net.TunnelNetworkPlan;
import io.vpngateway.gateway.openvpn.OpenVpnServer;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TunDevice;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running gateway: the composition of everything a gateway pod (or a standalone host) runs.
 *
 * <pre>
 *   ConfigSource ──watch──▶ reload ──▶ CertificateTrust (new snapshot, re-check live sessions)
 *        │                                   │
 *        ▼                                   ▼ authenticatorFor(protocol)
 *   TUN + HostNetworkConfigurator      OpenVpnServer (UDP, TCP)  [IKEv2, SSTP: same interfaces]
 *        │                                   │  allocator: this replica's pool slices
 *        ▼                                   ▼
 *   DataPlane (TUN readers) ◀── SessionRegistry ──▶ ManagementServer (probes, metrics, sessions)
 * </pre>
 *
 * {@link #start} brings the parts up in dependency order and tears down what it started if a step
 * fails; {@link #close} stops them in reverse order. VpnProtocol servers are started only for the
 * protocols the config enables and this build implements.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  /** How often live sessions are re-checked without a reload (certificate expiry). */
  static final long RECHECK_SECONDS = 60;

  private final ConfigSource source;
  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gateway-maintenance");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean ready;
  private RuntimeConfig startedWith;
  private CertificateTrust trust;
  private OpenVpnServer openVpn;
  private ManagementServer management;
  private TunDevice tun;

  private Gateway(ConfigSource source) {
    this.source = source;
  }

  /** Starts a gateway from the config in {@code source}; throws if any part cannot start. */
  public static Gateway start(ConfigSource source, GatewayOptions options) throws Exception {
    Gateway gateway = new Gateway(source);
    try {
      gateway.startParts(options);
      return gateway;
    } catch (Exception | Error e) {
      gateway.close();
      throw e;
    }
  }

  private void startParts(GatewayOptions options) throws Exception {
    RuntimeConfig config = source.current();
    startedWith = config;
    GatewayConfig doc = config.document();
    ReplicaIdentity replica = options.replica();
    registry.onUnregister(metrics::sessionEnded);
    trust = new CertificateTrust(config, registry, metrics);
    source.addListener(trust);
    List<PoolSpec> pools =
        doc.pools().stream()
            .map(p -> new PoolSpec(Ipv4Cidr.parse(p.cidr()), p.groups(), p.priority()))
            .toList();
    List<VpnProtocol> protocols = doc.protocols().stream().map(VpnProtocol::valueOf).toList();
    GroupAwareAddressAllocator allocator =
        GroupAwareAddressAllocator.forReplica(
            pools, protocols, replica.replicas(), replica.ordinal());
    DataPlane dataPlane = startDataPlane(options, doc, pools);
    int share = replica.shareOf(doc.maxConnections());
    for (VpnProtocol protocol : protocols) {
      if (protocol == VpnProtocol.OpenVPN) {
        startOpenVpn(config, options, share, allocator, dataPlane);
      } else {
        LOG.warning(
            protocol
                + " is enabled in the config but not implemented by this gateway"
                + " build; its clients cannot connect");
      }
    }
    startManagement(options, doc);
    ConfigDirectoryWatcher watcher = ConfigDirectoryWatcher.start(source);
    started.push(watcher);
    scheduler.scheduleWithFixedDelay(
        this::recheckSessions, RECHECK_SECONDS, RECHECK_SECONDS, TimeUnit.SECONDS);
    ready = true;
    logReady(doc, replica, share);
  }

  /** TUN device, addresses, routes, forwarding and NAT, and the TUN reader workers. */
  private DataPlane startDataPlane(GatewayOptions options, GatewayConfig doc, List<PoolSpec> pools)
      throws java.io.IOException {
    int mtu = doc.openvpn().tunMtu();
    tun = TunDevice.open(options.tunName(), options.tunQueues());
    started.push(tun);
    HostNetworkConfigurator network = new HostNetworkConfigurator(new ProcessCommandRunner());
    started.push(network);
    network.apply(
        TunnelNetworkPlan.forPools(
            tun.name(), mtu, pools, doc.routing().nat(), doc.routing().clientToClient()));
    DataPlane dataPlane =
        new DataPlane(
            tun,
            registry,
            DataPlaneOptions.defaults()
                .withMtu(mtu)
                .withClientToClient(doc.routing().clientToClient()));
    started.push(dataPlane);
    dataPlane.start();
    metrics.addCollector(ComponentMetrics.dataPlane(dataPlane));
    metrics.addDropSource("dataplane", () -> ComponentMetrics.dataPlaneDrops(dataPlane));
    metrics.addCollector(new InterfaceCounters(tun.name()));
    return dataPlane;
  }

  private void startOpenVpn(
      RuntimeConfig config,
      GatewayOptions options,
      int maxConnections,
      GroupAwareAddressAllocator allocator,
      DataPlane dataPlane)
      throws Exception {
    openVpn =
        new OpenVpnServer(
            OpenVpnSettingsMapper.settings(
                config, options.listenAddress(), maxConnections, options.openVpnPorts()),
            trust.authenticatorFor(VpnProtocol.OpenVPN),
            allocator,
            registry,
            dataPlane::sinkFor);
    started.push(openVpn);
    openVpn.start();
    OpenVpnServerStats stats = openVpn.stats();
    metrics.addCollector(ComponentMetrics.openVpn(stats));
    metrics.addDropSource("openvpn", () -> ComponentMetrics.openVpnDrops(stats));
    source.addListener(this::updateOpenVpn);
  }

  private void startManagement(GatewayOptions options, GatewayConfig doc) throws Exception {
    InetSocketAddress managementAddress =
        options.management().getPort() == 0
            ? new InetSocketAddress(options.management().getAddress(), doc.management().port())
            : options.management();
    management =
        ManagementServer.start(
            managementAddress,
            () -> source.current().managementToken(),
            registry,
            metrics,
            () -> ready);
    started.push(management);
    source.onOutcome(o -> metrics.configReloaded(o.result() == ReloadOutcome.Result.APPLIED));
  }

  private void logReady(GatewayConfig doc, ReplicaIdentity replica, int share) {
    LOG.info(
        "gateway "
            + doc.gateway().namespace()
            + "/"
            + doc.gateway().name()
            + " ready:"
            + " replica "
            + replica.ordinal()
            + " of "
            + replica.replicas()
            + ", "
            + share
            + " connections, tun "
            + tun.name()
            + ", OpenVPN "
            + (openVpn == null
                ? "off"
                : "udp "
                    + openVpn.udpAddress().map(Object::toString).orElse("off")
                    + " tcp "
                    + openVpn.tcpAddress().map(Object::toString).orElse("off"))
            + ", management "
            + management.address());
  }

  private void recheckSessions() {
    try {
      trust.enforce();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "periodic session re-check failed", e);
    }
  }

  /**
   * Routes, DNS, timers, crypto policy and the server certificate apply to new OpenVPN sessions at
   * once (see {@link OpenVpnSettingsMapper#reloaded}); what was bound at start stays.
   */
  private void updateOpenVpn(RuntimeConfig before, RuntimeConfig after) {
    if (openVpn == null) {
      return;
    }
    try {
      openVpn.updateSettings(
          OpenVpnSettingsMapper.reloaded(openVpn.settings(), startedWith, after));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      LOG.warning(
          "the reloaded config cannot be applied to the OpenVPN server ("
              + e.getMessage()
              + "); new sessions keep the previous settings");
    }
    if (before.document().maxConnections() != after.document().maxConnections()) {
      LOG.warning("maxConnections changed: it applies after a restart of the gateway");
    }
  }

  /** Runs a reload now (the watcher also does this on every change of the directory). */
  public ReloadOutcome reload() {
    return source.reload();
  }

  public SessionRegistry sessions() {
    return registry;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public boolean isReady() {
    return ready;
  }

  public Optional<OpenVpnServer> openVpn() {
    return Optional.ofNullable(openVpn);
  }

  public InetSocketAddress managementAddress() {
    return management.address();
  }

  public String tunName() {
    return tun.name();
  }

  /** Ends every session (telling clients where the protocol can) and stops every part. */
  @Override
  public void close() {
    ready = false;
    scheduler.shutdownNow();
    for (TunnelSession s : registry.all()) {
      try {
        s.close("gateway shutting down");
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "closing session " + s.id(), e);
      }
    }
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "stopping " + part.getClass().getSimpleName() + " failed", e);
      }
    }
  }
}
