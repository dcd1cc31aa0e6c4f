package io.vpngateway.gateway.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.CertificateAuthorityFiles;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The scale lab: a {@link NetnsLab} whose client namespace owns a whole /16 of source addresses
 * (routed to its loopback, so every one can be bound), the production gateway ({@code vpngw serve
 * --config}, through {@link ServedGateway}) in the gateway namespace with a /16 client pool, the
 * load clients' credentials issued from its state directory, and a {@link LoadGenerator} whose
 * event loops run inside the client namespace. Nothing is routed outside the lab's namespaces.
 */
public final class ScaleLab implements AutoCloseable {
  /** The gateway's pool: room for every client of a 10,000-session run and more. */
  static final String POOL = "10.200.0.0/16";

  private final NetnsLab lab;
  private final Path stateDir;
  private final String sourceBase;
  private final Consumer<ObjectNode> configEdit;
  private final Map<String, String> gatewayEnv;
  private ServedGateway gateway;
  private LoadGenerator generator;

  private ScaleLab(NetnsLab lab, String sourceBase, Consumer<ObjectNode> configEdit,
      Map<String, String> gatewayEnv) {
    this.lab = lab;
    this.stateDir = lab.workDir().resolve("state");
    this.sourceBase = sourceBase;
    this.configEdit = configEdit;
    this.gatewayEnv = gatewayEnv;
  }

  /**
   * Builds the namespaces and the gateway's state directory (certificates of {@code keys}: the CA,
   * the server and later the clients), without starting the gateway.
   *
   * @param subnet24 the client-gateway link, {@code a.b.c.0/24}; the backend link is the next /24
   * @param sourceBase16 the clients' /16, e.g. {@code 10.97.0.0}
   * @param configEdit changes to the rendered config document (OpenVPN timers)
   */
  public static ScaleLab create(
      String name,
      String subnet24,
      String backend24,
      String sourceBase16,
      int maxConnections,
      KeySpec keys,
      Consumer<ObjectNode> configEdit,
      Map<String, String> gatewayEnv)
      throws Exception {
    NetnsLab lab = NetnsLab.create(name, subnet24, backend24);
    ScaleLab s = new ScaleLab(lab, sourceBase16, configEdit, gatewayEnv);
    try {
      lab.client().execOk("ip", "route", "add", "local", sourceBase16 + "/16", "dev", "lo");
      lab.gateway().execOk("ip", "route", "add", sourceBase16 + "/16", "via", lab.clientAddress());
      s.prepare(maxConnections, keys);
      return s;
    } catch (Exception | Error e) {
      lab.close();
      throw e;
    }
  }

  private void prepare(int maxConnections, KeySpec keys) throws Exception {
    Files.createDirectories(stateDir);
    Instant now = Instant.now().minus(Duration.ofDays(1));
    // a CA of the wanted key type first: prepare() keeps an existing CA
    CertificateAuthority ca = CertificateAuthorityFiles.loadOrCreate(stateDir, "scale", keys, now);
    String yaml = "apiVersion: vpngateway.io/v1alpha1\n"
        + "kind: VpnGateway\n"
        + "metadata: {name: scale, namespace: default}\n"
        + "spec:\n"
        + "  protocols: [OpenVPN]\n"
        + "  maxConnections: " + maxConnections + "\n"
        + "  clientAddressPools:\n"
        + "    - cidr: " + POOL + "\n"
        + "  routing:\n"
        + "    routes: [" + lab.backendAddress() + "/32]\n";
    ServedGateway.prepare(stateDir, yaml, lab.gatewayOuterAddress());
    if (keys.algorithm() != io.vpngateway.api.pki.KeyAlgorithm.ECDSA || keys.size() != 256) {
      // prepare() issues an EC P-256 server certificate: replace it by one of the wanted type
      StateDirectory state = StateDirectory.open(stateDir);
      IssuedCertificate server = ca.issueServerCertificate(
          new ServerCertificateRequest(lab.gatewayOuterAddress(), List.of(),
              List.of(lab.gatewayOuterAddress()), keys, ServerCertificateRequest.DEFAULT_VALIDITY),
          now);
      Files.writeString(stateDir.resolve(state.config().files().serverKey()),
          server.privateKeyPem());
      Files.writeString(stateDir.resolve(state.config().files().serverCertificate()),
          server.certificatePem());
    }
  }

  /** Starts {@code vpngw serve --config} (Java 25 when installed) and waits until it is ready. */
  public ServedGateway startGateway() throws Exception {
    gateway = ServedGateway.start(lab.gateway(), stateDir, configEdit,
        NetnsLab.javaBinary(true), gatewayEnv);
    return gateway;
  }

  /**
   * Stops the gateway as a pod's kubelet does: SIGTERM, up to {@code grace} to exit, then SIGKILL.
   * Returns how long it took to exit.
   */
  public Duration stopGateway(Duration grace) throws InterruptedException {
    LabProcess p = gateway.process();
    long t0 = System.nanoTime();
    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
    long end = t0 + grace.toNanos();
    while (p.isAlive() && System.nanoTime() - end < 0) {
      Thread.sleep(20);
    }
    p.close(); // SIGKILL if it still runs
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  public ServedGateway gateway() {
    return gateway;
  }

  public NetnsLab lab() {
    return lab;
  }

  public Path stateDirectory() {
    return stateDir;
  }

  /** Reads the gateway process from outside; heap figures when the Java 25 JDK has a jcmd. */
  public GatewayProbe probe() {
    Path java = NetnsLab.javaBinary(true);
    Path jcmd = java.resolveSibling("jcmd");
    return new GatewayProbe(gateway.process().pid(), Files.isExecutable(jcmd) ? jcmd : null);
  }

  /** Issues {@code count} clients (as {@code vpngw issue} does) on two threads. */
  public LoadCredentials issueClients(String prefix, int count, KeySpec keys) throws Exception {
    PrivateKeySpec.Algorithm algorithm = keys.algorithm() == io.vpngateway.api.pki.KeyAlgorithm.RSA
        ? PrivateKeySpec.Algorithm.RSA : PrivateKeySpec.Algorithm.ECDSA;
    return LoadCredentials.issue(StateDirectory.open(stateDir), prefix, count, algorithm,
        keys.size(), 2);
  }

  /** The generator's config: this lab's gateway addresses and source range, the rest default. */
  public LoadConfig loadConfig() throws Exception {
    InetAddress gw = InetAddress.getByName(lab.gatewayOuterAddress());
    return new LoadConfig()
        .udp(new InetSocketAddress(gw, gateway.config().listen().openvpnUdp()))
        .tcp(new InetSocketAddress(gw, gateway.config().listen().openvpnTcp()))
        .sources(sourceBase, 1);
  }

  /** Starts a generator whose event loops run inside the client namespace. */
  public LoadGenerator startGenerator(LoadConfig config, LoadCredentials credentials)
      throws Exception {
    generator = LoadGenerator.start(config, credentials,
        r -> lab.client().startThreadInside("load-loop", r));
    return generator;
  }

  /**
   * Runs {@code vpngw revoke NAME --state-dir DIR} through the distribution's launcher, as an
   * operator would; returns when the command exited (its exit code checked).
   */
  public void revoke(String name) throws Exception {
    Path log = lab.workDir().resolve("revoke-" + name + ".log");
    List<String> cmd = List.of(ServedGateway.launcher().toString(), "revoke", name,
        "--state-dir", stateDir.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("VPNGW_JAVA", NetnsLab.javaBinary(true).toString());
    pb.environment().put("VPNGW_CLASSPATH", ServedGateway.runtimeClasspath());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("vpngw revoke did not finish in 120 s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("vpngw revoke failed: " + Files.readString(log));
    }
  }

  static boolean java25() {
    return Java25.find().isPresent();
  }

  @Override
  public void close() {
    if (generator != null) {
      generator.close();
    }
    lab.close();
  }
}
