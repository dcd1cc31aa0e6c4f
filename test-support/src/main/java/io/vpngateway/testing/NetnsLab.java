package io.vpngateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A three-namespace test network: {@code client} — {@code gateway} — {@code backend}.
 *
 * <pre>
 *   client [c-gw] outer.2/24 ──veth── outer.1/24 [g-client] gateway [g-backend] backend.1/24
 *                                                                      ──veth── backend.2/24 [b-gw] backend
 * </pre>
 *
 * The backend namespace stands for the cluster network behind the gateway. The namespaces are
 * connected only to each other: there is no default route and no link to the root namespace, and
 * nothing in the root namespace is touched (the veth pairs are created from inside the lab's
 * namespaces). Names carry a per-lab random suffix so parallel tests never collide. {@link
 * #close()} stops every process the lab started and deletes the namespaces, which removes their
 * links.
 *
 * <p>Callers pass the two /24 subnets so that tests running in parallel can also keep their
 * addresses apart; traffic only ever goes to these addresses, inside the lab.
 */
public final class NetnsLab implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

  private final String id;
  private final Path workDir;
  private final Netns client;
  private final Netns gateway;
  private final Netns backend;
  private final String clientAddress;
  private final String gatewayOuterAddress;
  private final String gatewayBackendAddress;
  private final String backendAddress;
  private final List<LabProcess> processes = Collections.synchronizedList(new ArrayList<>());
  private final List<Netns> created = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "netns-lab-cleanup");

  private NetnsLab(String testName, String outerSubnet, String backendSubnet) throws IOException {
    String tag = testName.toLowerCase().replaceAll("[^a-z0-9]", "");
    tag = tag.substring(0, Math.min(10, tag.length()));
    this.id =
        "vgl-" + tag + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
    this.workDir = Files.createTempDirectory(id + "-");
    this.client = new Netns(this, id + "-c");
    this.gateway = new Netns(this, id + "-g");
    this.backend = new Netns(this, id + "-b");
    this.clientAddress = host(outerSubnet, 2);
    this.gatewayOuterAddress = host(outerSubnet, 1);
    this.gatewayBackendAddress = host(backendSubnet, 1);
    this.backendAddress = host(backendSubnet, 2);
  }

  /**
   * Builds the lab. {@code outerSubnet} joins client and gateway, {@code backendSubnet} gateway and
   * backend; both are /24 networks given as {@code a.b.c.0/24}.
   */
  public static NetnsLab create(String testName, String outerSubnet, String backendSubnet)
      throws IOException {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("ip");
    NetnsLab lab = new NetnsLab(testName, outerSubnet, backendSubnet);
    Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
    try {
      lab.build();
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  private void build() {
    for (Netns ns : List.of(client, gateway, backend)) {
      root("ip", "netns", "add", ns.name()).orThrow();
      created.add(ns);
      ns.execOk("ip", "link", "set", "lo", "up");
    }
    // each pair is created inside one lab namespace with its peer placed directly in the other
    client.execOk(
        "ip",
        "link",
        "add",
        "c-gw",
        "type",
        "veth",
        "peer",
        "name",
        "g-client",
        "netns",
        gateway.name());
    gateway.execOk(
        "ip",
        "link",
        "add",
        "g-backend",
        "type",
        "veth",
        "peer",
        "name",
        "b-gw",
        "netns",
        backend.name());
    client.execOk("ip", "addr", "add", clientAddress + "/24", "dev", "c-gw");
    gateway.execOk("ip", "addr", "add", gatewayOuterAddress + "/24", "dev", "g-client");
    gateway.execOk("ip", "addr", "add", gatewayBackendAddress + "/24", "dev", "g-backend");
    backend.execOk("ip", "addr", "add", backendAddress + "/24", "dev", "b-gw");
    client.execOk("ip", "link", "set", "c-gw", "up");
    gateway.execOk("ip", "link", "set", "g-client", "up");
    gateway.execOk("ip", "link", "set", "g-backend", "up");
    backend.execOk("ip", "link", "set", "b-gw", "up");
  }

  public String id() {
    return id;
  }

  /** A directory for this lab's files (configs, logs); deleted with the lab. */
  public Path workDir() {
    return workDir;
  }

  public Netns client() {
    return client;
  }

  public Netns gateway() {
    return gateway;
  }

  public Netns backend() {
    return backend;
  }

  public String clientAddress() {
    return clientAddress;
  }

  /** The gateway's address on the client side: where VPN clients connect. */
  public String gatewayOuterAddress() {
    return gatewayOuterAddress;
  }

  /** The gateway's address on the backend (cluster) side. */
  public String gatewayBackendAddress() {
    return gatewayBackendAddress;
  }

  /** An address behind the gateway that tunnel traffic should reach. */
  public String backendAddress() {
    return backendAddress;
  }

  /**
   * Another client namespace, for a test that needs two clients whose daemons bind the same ports
   * (strongSwan's charon: UDP 500 and 4500): joined to the gateway by a veth pair of its own on
   * {@code subnet} (a /24: the gateway .1, this client .2) and routed to {@link
   * #gatewayOuterAddress()}, which the gateway namespace takes on any of its links. Deleted with
   * the lab.
   *
   * @param index 2 to 9, naming the links ({@code c2-gw}, {@code g-client2})
   */
  public synchronized Netns addClient(int index, String subnet) {
    if (index < 2 || index > 9) {
      throw new IllegalArgumentException("client index " + index + " is not 2-9");
    }
    Netns extra = new Netns(this, id + "-c" + index);
    root("ip", "netns", "add", extra.name()).orThrow();
    created.add(extra);
    extra.execOk("ip", "link", "set", "lo", "up");
    String clientLink = "c" + index + "-gw";
    String gatewayLink = "g-client" + index;
    extra.execOk(
        "ip", "link", "add", clientLink, "type", "veth", "peer", "name", gatewayLink, "netns",
        gateway.name());
    extra.execOk("ip", "addr", "add", host(subnet, 2) + "/24", "dev", clientLink);
    gateway.execOk("ip", "addr", "add", host(subnet, 1) + "/24", "dev", gatewayLink);
    extra.execOk("ip", "link", "set", clientLink, "up");
    gateway.execOk("ip", "link", "set", gatewayLink, "up");
    extra.execOk("ip", "route", "add", gatewayOuterAddress + "/32", "via", host(subnet, 1));
    return extra;
  }

  /**
   * Lets the backend answer tunnel clients without NAT: routes {@code clientPoolCidr} via the
   * gateway's backend address.
   */
  public void routeClientPoolFromBackend(String clientPoolCidr) {
    backend.execOk("ip", "route", "add", clientPoolCidr, "via", gatewayBackendAddress);
  }

  /** Runs {@code ping -c count} from {@code from}; never throws on loss, the result tells. */
  public PingResult ping(Netns from, String target, int count) {
    ExecResult r =
        from.exec(
            Duration.ofSeconds(count + 5L),
            "ping",
            "-n",
            "-q",
            "-c",
            Integer.toString(count),
            "-i",
            "0.2",
            "-W",
            "2",
            target);
    Matcher m =
        Pattern.compile("(\\d+) packets transmitted, (\\d+) (packets )?received")
            .matcher(r.output());
    if (!m.find()) {
      return new PingResult(0, 0, r.output());
    }
    return new PingResult(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), r.output());
  }

  /**
   * Measures throughput with iperf3 from {@code clientNs} to a one-off server on {@code
   * serverAddress} in {@code serverNs}, for {@code seconds} (at most 10).
   *
   * @param extraClientArgs e.g. {@code -u -b 100M} for UDP or {@code -R} for the reverse direction
   */
  public IperfResult iperf3(
      Netns serverNs,
      String serverAddress,
      Netns clientNs,
      int seconds,
      String... extraClientArgs) {
    Prerequisites.requireBinary("iperf3");
    if (seconds < 1 || seconds > 10) {
      throw new IllegalArgumentException("iperf3 duration must be 1..10 s, was " + seconds);
    }
    String port = Integer.toString(5201 + ThreadLocalRandom.current().nextInt(500));
    try (LabProcess server =
        // --forceflush: without a terminal iperf3 buffers "Server listening" until it exits
        serverNs.start(
            "iperf3-server",
            "iperf3",
            "-s",
            "-1",
            "--forceflush",
            "-B",
            serverAddress,
            "-p",
            port)) {
      server.awaitLine("Server listening", Duration.ofSeconds(10));
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "iperf3",
                  "-c",
                  serverAddress,
                  "-p",
                  port,
                  "-t",
                  Integer.toString(seconds),
                  "-J"));
      cmd.addAll(List.of(extraClientArgs));
      ExecResult r = clientNs.exec(Duration.ofSeconds(seconds + 20L), cmd.toArray(String[]::new));
      return parseIperf(r);
    }
  }

  static IperfResult parseIperf(ExecResult r) {
    JsonNode root;
    try {
      root = JSON.readTree(r.output());
    } catch (IOException e) {
      throw new IllegalStateException(
          "iperf3 printed no JSON (exit " + r.exitCode() + "):\n" + r.output(), e);
    }
    if (root.hasNonNull("error")) {
      throw new IllegalStateException("iperf3 failed: " + root.get("error").asText());
    }
    JsonNode end = root.path("end");
    boolean udp =
        "UDP".equalsIgnoreCase(root.path("start").path("test_start").path("protocol").asText());
    JsonNode sum = udp ? end.path("sum") : end.path("sum_received");
    if (!sum.has("bits_per_second")) {
      throw new IllegalStateException("iperf3 JSON has no summary:\n" + r.output());
    }
    return new IperfResult(
        sum.path("bits_per_second").asDouble(),
        end.path("sum_sent").path("retransmits").asLong(0),
        udp ? sum.path("lost_percent").asDouble(0) : 0,
        r.output());
  }

  /**
   * Starts a JVM running {@code mainClass} inside {@code ns} with this test's classpath, the way
   * the gateway runs in a pod. Uses the Java 25 JDK when {@code preferJava25} and it is installed,
   * else the JDK running the tests.
   */
  public LabProcess startJava(
      Netns ns,
      String label,
      boolean preferJava25,
      List<String> jvmArgs,
      String mainClass,
      String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary(preferJava25).toString());
    if (preferJava25 && Java25.find().isPresent()) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(testClasspath());
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return ns.start(label, Map.of(), cmd.toArray(String[]::new));
  }

  public static Path javaBinary(boolean preferJava25) {
    if (preferJava25 && Java25.find().isPresent()) {
      return Java25.find().get();
    }
    return Java25.current();
  }

  /**
   * The real test classpath. Surefire may start the test JVM from a manifest-only jar, in which
   * case {@code java.class.path} names only that jar and the full path is in {@code
   * surefire.test.class.path}.
   */
  public static String testClasspath() {
    String surefire = System.getProperty("surefire.test.class.path");
    if (surefire != null && !surefire.isBlank()) {
      return surefire;
    }
    return System.getProperty("java.class.path");
  }

  ExecResult root(String... command) {
    return run(List.of(command), Map.of(), EXEC_TIMEOUT);
  }

  ExecResult run(List<String> command, Map<String, String> env, Duration timeout) {
    return run(command, env, timeout, null);
  }

  ExecResult run(List<String> command, Map<String, String> env, Duration timeout, Path dir) {
    Path out = null;
    try {
      out = Files.createTempFile(workDir, "exec-", ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir == null ? null : dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new ExecResult(
            command,
            -1,
            "timed out after " + timeout + ":\n" + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new ExecResult(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // the work dir is removed in close()
        }
      }
    }
  }

  LabProcess startProcess(String label, List<String> command, Map<String, String> env) {
    return startProcess(label, command, env, null);
  }

  LabProcess startProcess(
      String label, List<String> command, Map<String, String> env, Path dir) {
    try {
      Path log =
          workDir.resolve(
              label.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + processes.size() + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir == null ? null : dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
      pb.environment().putAll(env);
      LabProcess p = new LabProcess(label, pb.start(), log);
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File("/dev/null");
  }

  /**
   * Stops every process the lab started (its own handles first, then any process still inside a lab
   * namespace, by PID), deletes the namespaces and the work directory. Safe to call twice.
   */
  @Override
  public synchronized void close() {
    List<LabProcess> toStop;
    synchronized (processes) {
      toStop = new ArrayList<>(processes);
      processes.clear();
    }
    for (int i = toStop.size() - 1; i >= 0; i--) {
      toStop.get(i).close();
    }
    for (Netns ns : created) {
      // daemons that double-forked escape the handles above; they can only be ours
      for (String pid : root("ip", "netns", "pids", ns.name()).output().split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    for (Netns ns : created) {
      root("ip", "netns", "del", ns.name());
    }
    created.clear();
    deleteRecursively(workDir);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // close() is running from the hook itself
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }

  private static String host(String cidr24, int host) {
    Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.0/24").matcher(cidr24);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a.b.c.0/24, got " + cidr24);
    }
    return m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + host;
  }
}
