package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.oidc.OidcService;
import io.vpngateway.gateway.auth.radius.RadiusService;
import io.vpngateway.gateway.auth.radius.RadiusSessionAccounting;
import io.vpngateway.gateway.config.ConfigDirectoryWatcher;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.ReloadOutcome;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.dataplane.DataPlane;
import io.vpngateway.gateway.dataplane.DataPlaneOptions;
import io.vpngateway.gateway.ippool.GroupAwareAddressAllocator;
import io.vpngateway.gateway.management.ManagementServer;
import io.vpngateway.gateway.metrics.DroppedPackets;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.metrics.InterfaceCounters;
import io.vpngateway.gateway.net.HostNetworkConfigurator;
import io.vpngateway.gateway.net.ProcessCommandRunner;
import io.vpngateway.gateway.net.TunnelNetworkPlan;
import io.vpngateway.gateway.portshare.SharedTcpPorts;
import io.vpngateway.gateway.protocol.ProtocolContext;
import io.vpngateway.gateway.protocol.ProtocolServer;
import io.vpngateway.gateway.protocol.ProtocolServerFactory;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.tun.TunDevice;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One running gateway: the composition of everything a gateway pod (or a standalone host) runs.
 *
 * <pre>
 *   ConfigSource ──watch──▶ reload ──▶ CertificateTrust (new snapshot, re-check live sessions)
 *        │                                   │        ──▶ ProtocolServer.apply (each)
 *        ▼                                   ▼
 *   TUN + HostNetworkConfigurator      Admission (authentication pipeline, connection budget)
 *        │                                   │
 *        ▼                                   ▼
 *   DataPlane (TUN readers) ◀──────▶ ProtocolServers (one per enabled, registered protocol)
 *        │                                   │  allocator: this replica's pool slices
 *        │                            SharedTcpPorts (TCP 443: first bytes pick the protocol)
 *        └──────────── SessionRegistry ◀─────┘──▶ ManagementServer (probes, metrics, sessions)
 * </pre>
 *
 * {@link #start} brings the parts up in dependency order and tears down what it started if a step
 * fails; {@link #close} stops them in reverse order. Protocol servers are started only for the
 * protocols the config enables and {@link ProtocolServers} registers; the runtime names none.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  /** How often live sessions are re-checked without a reload (certificate expiry). */
  static final long RECHECK_SECONDS = 60;
  /** How long a shutdown waits for the RADIUS servers to take the Stop records of live sessions. */
  static final java.time.Duration SHUTDOWN_ACCOUNTING = java.time.Duration.ofSeconds(5);

  private final ConfigSource source;
  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  /** RADIUS (password, EAP relay, accounting) when the config has it at start, else null. */
  private RadiusService radius;
  private final List<ProtocolServer> servers = new ArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gateway-maintenance");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean ready;
  private CertificateTrust trust;
  private Admission admission;
  private OidcService oidc;
  private ManagementServer management;
  private TunDevice tun;
  private RadiusSessionAccounting accounting;

  private Gateway(ConfigSource source) {
    this.source = source;
  }

  /** Starts a gateway from the config in {@code source}; throws if any part cannot start. */
  public static Gateway start(ConfigSource source, GatewayOptions options) throws Exception {
    Gateway gateway = new Gateway(source);
    try {
      JvmReport.log();
      gateway.startParts(options);
      return gateway;
    } catch (Exception | Error e) {
      gateway.close();
      throw e;
    }
  }

  private void startParts(GatewayOptions options) throws Exception {
    RuntimeConfig config = source.current();
    GatewayConfig doc = config.document();
    ReplicaIdentity replica = options.replica();
    registry.onUnregister(metrics::sessionEnded);
    trust = new CertificateTrust(config, registry);
    source.addListener(trust);
    List<PoolSpec> pools =
        doc.pools().stream()
            .map(p -> new PoolSpec(Ipv4Cidr.parse(p.cidr()), p.groups(), p.priority()))
            .toList();
    GroupAwareAddressAllocator allocator =
        GroupAwareAddressAllocator.forReplica(
            pools, doc.enabledProtocols(), replica.replicas(), replica.ordinal());
    int mtu = doc.tunnel().mtu();
    DataPlane dataPlane = startDataPlane(options, doc, pools, mtu);
    int share = replica.shareOf(doc.maxConnections());
    radius = RadiusService.of(config).orElse(null);
    if (radius != null) {
      source.addListener(radius);
      metrics.addCollector(radius.health());
      started.push(radius);
      accounting = new RadiusSessionAccounting(radius);
      started.push(accounting);
      registry.onRegister(accounting::started);
      registry.onUnregister(accounting::ended);
    }
    // before any protocol admits: scans only while some session has a sign-in end (OIDC), so a
    // gateway without one never wakes up for it
    registry.onRegister(new SignInExpiry(registry, Clock.systemUTC(), scheduler)::watch);
    oidc = OidcService.start(config, options.listenAddress(), Clock.systemUTC());
    started.push(oidc);
    source.addListener(oidc);
    metrics.addCollector(oidc);
    admission =
        new Admission(
            Authentications.pipeline(source, trust, radius, oidc),
            share,
            metrics);
    metrics.addCollector(admission.metricsCollector());
    SharedTcpPorts tcpPorts = new SharedTcpPorts(options.listenAddress());
    started.push(tcpPorts);
    ProtocolContext context =
        new ProtocolContext(
            config,
            options.listenAddress(),
            options.listen(doc.listen()),
            share,
            mtu,
            admission,
            allocator,
            registry,
            dataPlane::sinkFor,
            tcpPorts);
    for (VpnProtocol protocol : doc.enabledProtocols()) {
      ProtocolServerFactory factory = ProtocolServers.REGISTERED.get(protocol);
      if (factory == null) {
        LOG.warning(
            protocol.crName()
                + " is enabled in the config but not implemented by this gateway"
                + " build; its clients cannot connect");
      } else {
        startProtocol(
            protocol,
            factory.create(context.withSinks(a -> dataPlane.sinkFor(protocol, a))),
            dataPlane);
      }
    }
    tcpPorts.start(); // after every protocol registered its handlers
    metrics.addDropSource(DroppedPackets.NO_PROTOCOL, tcpPorts::dropped);
    source.addListener(this::applyToProtocols);
    startManagement(options, doc);
    ConfigDirectoryWatcher watcher = ConfigDirectoryWatcher.start(source);
    started.push(watcher);
    scheduler.scheduleWithFixedDelay(
        this::recheckSessions, RECHECK_SECONDS, RECHECK_SECONDS, TimeUnit.SECONDS);
    if (radius != null) {
      scheduler.scheduleWithFixedDelay(
          new io.vpngateway.gateway.auth.radius.RadiusStatusProbe(radius, radius.executor()),
          1,
          io.vpngateway.gateway.auth.radius.RadiusStatusProbe.PERIOD.toSeconds(),
          TimeUnit.SECONDS);
    }
    ready = true;
    logReady(doc, replica, share);
  }

  /** TUN device, addresses, routes, forwarding and NAT, and the TUN reader workers. */
  private DataPlane startDataPlane(
      GatewayOptions options, GatewayConfig doc, List<PoolSpec> pools, int mtu)
      throws java.io.IOException {
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
    metrics.addDropSource(DroppedPackets.NO_PROTOCOL, dataPlane::unattributedDrops);
    metrics.addCollector(new InterfaceCounters(tun.name()));
    return dataPlane;
  }

  /**
   * Starts one protocol server and adds its metrics, its drops and those of its clients' sinks
   * under its name; it is closed with the gateway.
   */
  private void startProtocol(VpnProtocol protocol, ProtocolServer server, DataPlane dataPlane)
      throws Exception {
    started.push(server);
    StartupWarmup.run(server);
    server.start();
    servers.add(server);
    metrics.addCollector(server::collectMetrics);
    String label = protocol.crName(); // as in vpngw_sessions{protocol}, vpngw_handshakes_total
    metrics.addDropSource(label, server::droppedPackets);
    metrics.addDropSource(label, () -> dataPlane.clientDrops(protocol));
  }

  private void startManagement(GatewayOptions options, GatewayConfig doc) throws Exception {
    InetSocketAddress managementAddress =
        options.management().getPort() == 0
            ? new InetSocketAddress(options.management().getAddress(), doc.management().port())
            : options.management();
    Optional<InetSocketAddress> health =
        Optional.ofNullable(options.health())
            .filter(h -> h.getPort() != 0 || doc.management().healthPort() != 0)
            .map(
                h ->
                    h.getPort() == 0
                        ? new InetSocketAddress(h.getAddress(), doc.management().healthPort())
                        : h);
    if (source.current().managementTls().isEmpty()) {
      LOG.warning(
          "the config names no management certificate: the management API is plain HTTP"
              + " (bearer token only)");
    }
    management =
        ManagementServer.start(
            new ManagementServer.Listeners(
                managementAddress,
                source.current().managementTls().isPresent()
                    ? Optional.of(() -> source.current().managementTls())
                    : Optional.empty(),
                health),
            () -> source.current().managementToken(),
            registry,
            metrics,
            () -> ready,
            () -> admission.refusals().recent());
    started.push(management);
    source.onOutcome(o -> metrics.configReloaded(o.result() == ReloadOutcome.Result.APPLIED));
  }

  private void logReady(GatewayConfig doc, ReplicaIdentity replica, int share) {
    String protocols =
        servers.isEmpty()
            ? "no protocol server"
            : servers.stream()
                .map(
                    p ->
                        p.protocol().crName()
                            + " "
                            + p.endpoints().stream()
                                .map(Object::toString)
                                .collect(Collectors.joining(" ")))
                .collect(Collectors.joining(", "));
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
            + ", "
            + protocols
            + ", management "
            + (management.tls() ? "https://" : "http://")
            + hostPort(management.address())
            + management.healthAddress().map(h -> ", health http://" + hostPort(h)).orElse(""));
  }

  private static String hostPort(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  private void recheckSessions() {
    try {
      trust.enforce();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "periodic session re-check failed", e);
    }
  }

  /**
   * Hands a reloaded config to every protocol server (after trust was swapped, see {@link
   * CertificateTrust}); settings bound at start are logged as needing a restart.
   */
  private void applyToProtocols(RuntimeConfig before, RuntimeConfig after) {
    for (ProtocolServer server : servers) {
      try {
        server.apply(after);
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "the reloaded config cannot be applied to the "
                + server.protocol().crName()
                + " server; its new sessions keep the previous settings",
            e);
      }
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

  /** The protocol servers that were started, in start order. */
  public List<ProtocolServer> protocolServers() {
    return List.copyOf(servers);
  }

  /** The running server of {@code protocol}, if it was enabled and is implemented. */
  public Optional<ProtocolServer> protocolServer(VpnProtocol protocol) {
    return servers.stream().filter(s -> s.protocol() == protocol).findFirst();
  }

  /** The RADIUS side (EAP relay, accounting, server health), when configured at start. */
  public Optional<RadiusService> radius() {
    return Optional.ofNullable(radius);
  }

  /** Authentication, the connection budget and recent refusals. */
  public Admission admission() {
    return admission;
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
    if (accounting != null) {
      // before the sessions close: their Stop records go out now, bounded, while the RADIUS
      // pool still runs (a stopping pod has its grace period; a record no server took is lost)
      accounting.stopAll(SHUTDOWN_ACCOUNTING);
    }
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
