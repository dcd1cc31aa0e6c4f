package io.vpngateway.gateway.load;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.load.LoadStats.EndCause;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scale benchmarks of {@code bench/scale.sh}: the production gateway ({@code vpngw serve})
 * in a lab namespace against the load generator in another. Not a test: it prints figures, each
 * with the machine's load average, for {@code gateway-image/BENCHMARKS.md}.
 *
 * <pre>
 * ScaleBench sessions   [--max 10000] [--step 1000] [--tcp-percent 0] [--ramp 200] [--revokes 3]
 *                       [--restart 1] [--reconnect-ramp 0] [--histogram TOP] [--nmt 0|1]
 *                       [--gateway-opts "JVM options"] [--max-connections MAX+1000]
 *                       [--handshake-timeout 60]
 *     RSS and heap (after a full GC) of the gateway per 1,000 sessions up to --max; then, at
 *     --max, the time from `vpngw revoke NAME` to the end of NAME's session (--revokes times),
 *     then the time for every client to reconnect after a gateway restart (--restart 0: not),
 *     all at once as real clients do (--reconnect-ramp N: N per second);
 *     --histogram TOP prints the gateway's TOP classes (live heap) at each step, --nmt 1 runs
 *     it with native memory tracking and prints the summary at each step; --max-connections the
 *     gateway's maxConnections, --handshake-timeout the seconds a client waits for its push
 *     before it gives up and reconnects (openvpn's hand-window); after the restart, the
 *     gateway's refusals by reason
 * ScaleBench handshakes [--keys ec,rsa] [--auth cert,radius] [--concurrency 64] [--seconds 60]
 *                       [--reps 2]
 *     handshakes per second per gateway CPU second (= per core), EC P-256 and RSA-2048
 *     certificates, --concurrency clients reconnecting as soon as they are established; with
 *     --auth radius the gateway also requires a password, checked by RADIUS PAP against a real
 *     FreeRADIUS in the lab's backend namespace (certificate AND password: every handshake is a
 *     full TLS handshake plus one Access-Request)
 * ScaleBench soak       [--minutes 30] [--sessions 1000] [--tcp-percent 20] [--churn 2]
 *                       [--reneg-seconds 300] [--reload-seconds 60]
 * </pre>
 */
public final class ScaleBench {
  private static final PrintStream OUT = System.out;

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: ScaleBench sessions|handshakes|soak [--option value]...");
      System.exit(2);
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    OUT.printf("# ScaleBench %s %s, %s, %d CPUs, load %.1f%n", args[0], o, LocalDateTime.now(),
        Runtime.getRuntime().availableProcessors(), GatewayProbe.loadAverage());
    switch (args[0]) {
      case "sessions" -> sessions(o);
      case "handshakes" -> handshakes(o);
      case "soak" -> soak(o);
      default -> {
        System.err.println("unknown mode " + args[0]);
        System.exit(2);
      }
    }
    System.exit(0);
  }

  private static int intOpt(Map<String, String> o, String key, int dflt) {
    return Integer.parseInt(o.getOrDefault(key, Integer.toString(dflt)));
  }

  // ------------------------------------------------------------------------------ sessions

  private static void sessions(Map<String, String> o) throws Exception {
    int max = intOpt(o, "max", 10_000);
    int step = intOpt(o, "step", 1000);
    int tcpPercent = intOpt(o, "tcp-percent", 0);
    int ramp = intOpt(o, "ramp", 200);
    int revokes = intOpt(o, "revokes", 3);
    boolean restart = intOpt(o, "restart", 1) != 0;
    int histogram = intOpt(o, "histogram", 0);
    boolean nmt = intOpt(o, "nmt", 0) != 0;
    int maxConnections = intOpt(o, "max-connections", max + 1000);
    int handshakeTimeout = intOpt(o, "handshake-timeout", 60);
    String opts = (o.getOrDefault("gateway-opts", "")
        + (nmt ? " -XX:NativeMemoryTracking=summary" : "")).trim();
    try (ScaleLab lab = ScaleLab.create("scale", "10.98.91.0/24", "10.98.92.0/24", "10.97.0.0",
        maxConnections, KeySpec.EC_P256, doc -> { },
        opts.isEmpty() ? Map.of() : Map.of("VPNGW_JAVA_OPTS", opts))) {
      lab.startGateway();
      GatewayProbe probe = lab.probe();
      long t = System.nanoTime();
      LoadCredentials creds = lab.issueClients("load", max, KeySpec.EC_P256);
      OUT.printf("issued %d client certificates in %.1f s%n", max, (System.nanoTime() - t) / 1e9);
      LoadGenerator gen = lab.startGenerator(lab.loadConfig().tcpPercent(tcpPercent)
          .connectsPerSecond(ramp).trickle(Duration.ofSeconds(10))
          .handshakeTimeout(Duration.ofSeconds(handshakeTimeout)), creds);
      GatewayProbe.Sample base = probe.sample(true);
      OUT.printf("%nsessions | RSS MiB | heap MiB (live) | RSS KiB/session | heap KiB/session "
          + "| threads | fds | connect p50/p99 ms | load%n");
      row(0, base, base, "-", GatewayProbe.loadAverage());
      for (int n = step; n <= max; n += step) {
        gen.stats().resetConnectTimes();
        gen.target(n);
        boolean up = gen.awaitEstablished(n, Duration.ofSeconds(120 + 3L * step / ramp));
        Thread.sleep(3000);
        GatewayProbe.Sample s = probe.sample(true);
        row(gen.established(), s, base, gen.stats().connectMillisQuantile(0.5) + "/"
            + gen.stats().connectMillisQuantile(0.99), GatewayProbe.loadAverage());
        if (histogram > 0) {
          OUT.print(indent("histogram at " + gen.established() + " sessions",
              probe.classHistogram(histogram)));
        }
        if (nmt) {
          OUT.print(indent("native memory at " + gen.established() + " sessions",
              probe.nativeMemory()));
        }
        if (!up) {
          // revocation and restart are still measured at the count reached
          OUT.printf("stopped: only %d of %d sessions came up (%s)%n", gen.established(), n,
              gen.stats());
          break;
        }
      }
      OUT.println("generator: " + gen.stats());
      if (revokes > 0) {
        revocation(lab, gen, creds, revokes);
      }
      if (restart) {
        // real clients reconnect all at once (connect-retry 1-5 s): no ramp unless asked
        gen.config().connectsPerSecond(intOpt(o, "reconnect-ramp", 0));
        reconnect(lab, gen);
      }
      OUT.println("generator: " + gen.stats());
    }
  }

  private static String indent(String title, String text) {
    return "  # " + title + "\n" + text.lines().map(l -> "  " + l + "\n")
        .reduce("", String::concat);
  }

  private static void row(int n, GatewayProbe.Sample s, GatewayProbe.Sample base,
      String connect, double load) {
    OUT.printf("%8d | %7d | %15d | %15s | %16s | %7d | %5d | %18s | %.1f%n",
        n, s.rssKb() / 1024, s.heapUsedKb() / 1024,
        n == 0 ? "-" : String.format("%.1f", (s.rssKb() - base.rssKb()) / (double) n),
        n == 0 || s.heapUsedKb() < 0 ? "-"
            : String.format("%.1f", (s.heapUsedKb() - base.heapUsedKb()) / (double) n),
        s.threads(), s.fds(), connect, load);
  }

  /** Time from {@code vpngw revoke NAME} to the end of NAME's live session. */
  private static void revocation(ScaleLab lab, LoadGenerator gen, LoadCredentials creds,
      int revokes) throws Exception {
    Map<String, long[]> ends = new ConcurrentHashMap<>();
    gen.listener(new LoadGenerator.Listener() {
      @Override
      public void ended(String client, EndCause cause, boolean wasEstablished, long atNanos) {
        if (wasEstablished) {
          ends.putIfAbsent(client, new long[] {atNanos, cause.ordinal()});
        }
      }
    });
    OUT.printf("%nrevocation at %d sessions: vpngw revoke NAME -> NAME's session ends%n",
        gen.established());
    OUT.println("client | command exited after s | session ended after s | how | load");
    for (int r = 0; r < revokes; r++) {
      int index = (17 + r * 977) % creds.size();
      String name = creds.name(index);
      if (!gen.isEstablished(index)) {
        OUT.println(name + " is not connected; skipped");
        continue;
      }
      long t0 = System.nanoTime();
      lab.revoke(name);
      long cli = System.nanoTime();
      long deadline = t0 + 60_000_000_000L;
      while (!ends.containsKey(name) && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
      long[] e = ends.get(name);
      OUT.printf("%s | %.2f | %s | %s | %.1f%n", name, (cli - t0) / 1e9,
          e == null ? "not within 60 s" : String.format("%.2f", (e[0] - t0) / 1e9),
          e == null ? "-" : EndCause.values()[(int) e[1]], GatewayProbe.loadAverage());
      Thread.sleep(2000);
    }
    List<String> lines = lab.gateway().process().output().lines()
        .filter(l -> l.contains("trust configuration reloaded")).toList();
    lines.forEach(l -> OUT.println("gateway: " + l.trim()));
    gen.listener(null);
  }

  /** Time for every connected client to be back after a gateway restart. */
  private static void reconnect(ScaleLab lab, LoadGenerator gen) throws Exception {
    int expected = gen.established();
    Map<EndCause, Long> before = new HashMap<>();
    for (EndCause c : EndCause.values()) {
      before.put(c, gen.stats().ended(c));
    }
    OUT.printf("%nrestart with %d sessions: SIGTERM (30 s grace), start again, wait for all%n",
        expected);
    long t0 = System.nanoTime();
    Duration stop = lab.stopGateway(Duration.ofSeconds(30));
    long down = System.nanoTime();
    lab.startGateway();
    long ready = System.nanoTime();
    gen.stats().resetConnectTimes();
    boolean all = gen.awaitEstablished(expected, Duration.ofMinutes(20));
    long done = System.nanoTime();
    OUT.printf("gateway exited after %.1f s; ready again %.1f s after SIGTERM;"
            + " %s %d sessions re-established %.1f s after SIGTERM (%.1f s after ready);"
            + " connect p50/p99 %d/%d ms; load %.1f%n",
        stop.toNanos() / 1e9, (ready - t0) / 1e9, all ? "all" : "NOT all:", gen.established(),
        (done - t0) / 1e9, (done - ready) / 1e9, gen.stats().connectMillisQuantile(0.5),
        gen.stats().connectMillisQuantile(0.99), GatewayProbe.loadAverage());
    StringBuilder how = new StringBuilder("sessions ended by:");
    for (EndCause c : EndCause.values()) {
      long n = gen.stats().ended(c) - before.get(c);
      if (n > 0) {
        how.append(' ').append(c).append('=').append(n);
      }
    }
    OUT.println(how);
    refusals(lab);
    OUT.printf("gateway after the restart: %s%n", lab.probe().sample(true));
  }

  /**
   * Why the restarted gateway refused clients: {@code vpngw_handshakes_total} by reason (result
   * failed) and, from {@code GET /refusals} (the latest refusals), a count and an example per
   * reason.
   */
  private static void refusals(ScaleLab lab) throws Exception {
    StringBuilder b = new StringBuilder("gateway refusals (vpngw_handshakes_total, failed):");
    lab.gateway().metrics().entrySet().stream()
        .filter(e -> e.getKey().startsWith("vpngw_handshakes_total{")
            && e.getKey().contains("result=\"failed\"") && e.getValue() > 0)
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> b.append(' ').append(e.getKey().replaceAll(".*reason=\"([^\"]*)\".*", "$1"))
            .append('=').append(e.getValue().longValue()));
    OUT.println(b);
    Map<String, Integer> counts = new java.util.TreeMap<>();
    Map<String, String> example = new HashMap<>();
    for (com.fasterxml.jackson.databind.JsonNode r : lab.gateway().refusals()) {
      String reason = r.path("reason").asText();
      counts.merge(reason, 1, Integer::sum);
      example.putIfAbsent(reason, r.path("message").asText());
    }
    counts.forEach((reason, n) -> OUT.printf("  GET /refusals: %s x%d, e.g. \"%s\"%n", reason, n,
        example.get(reason)));
  }

  // ------------------------------------------------------------------------------ handshakes

  private static void handshakes(Map<String, String> o) throws Exception {
    List<String> keys = List.of(o.getOrDefault("keys", "ec,rsa").split(","));
    List<String> auths = List.of(o.getOrDefault("auth", "cert").split(","));
    int concurrency = intOpt(o, "concurrency", 64);
    int seconds = intOpt(o, "seconds", 60);
    int reps = intOpt(o, "reps", 2);
    OUT.printf("%nkeys | auth | rep | handshakes | gateway CPU s | handshakes per CPU s (per core) "
        + "| handshakes per s (wall) | connect p50/p99 ms | load%n");
    for (int rep = 1; rep <= reps; rep++) {
      for (String k : keys) {
        for (String auth : auths) {
          handshakeRun(k, auth.equals("radius"), rep, concurrency, seconds);
        }
      }
    }
  }

  private static void handshakeRun(String k, boolean radius, int rep, int concurrency,
      int seconds) throws Exception {
    KeySpec spec = k.equals("rsa") ? KeySpec.RSA_2048 : KeySpec.EC_P256;
    java.util.concurrent.atomic.AtomicReference<io.vpngateway.gateway.lab.FreeRadiusServer>
        server = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit =
        doc -> {
          if (radius) {
            requireRadiusPap(doc, server.get());
          }
        };
    try (ScaleLab lab = ScaleLab.create("hs" + k, "10.98.95.0/24", "10.98.96.0/24",
        "10.97.0.0", concurrency * 4 + 100, spec, edit, Map.of())) {
      try {
        if (radius) {
          java.nio.file.Path radiusDir = java.nio.file.Files.createDirectories(
              lab.lab().workDir().resolve("radius"));
          server.set(io.vpngateway.gateway.lab.FreeRadiusServer
              .builder(radiusDir)
              .in(lab.lab().backend())
              .listen(lab.lab().backendAddress())
              .clients(lab.lab().gatewayBackendAddress())
              .secret(RADIUS_SECRET)
              .debug(false)
              .user("bench", "bench-pw")
              .start());
          java.nio.file.Files.writeString(lab.stateDirectory().resolve("radius-bench.secret"),
              RADIUS_SECRET);
        }
        handshakeRun(lab, spec, radius, rep, concurrency, seconds);
      } finally {
        if (server.get() != null) {
          server.get().close();
        }
      }
    }
  }

  private static final String RADIUS_SECRET = "bench-radius-secret";

  /** The config document: certificate AND a RADIUS PAP password, the server in the backend. */
  private static void requireRadiusPap(com.fasterxml.jackson.databind.node.ObjectNode doc,
      io.vpngateway.gateway.lab.FreeRadiusServer r) {
    var auth = (com.fasterxml.jackson.databind.node.ObjectNode) doc.path("authentication");
    auth.put("requireCertificateAndPassword", true);
    var radius = auth.putObject("radius");
    var s = radius.putArray("servers").addObject();
    s.put("address", r.address()).put("port", r.authPort()).put("secretFile", "radius-bench.secret")
        .put("priority", 0).put("accountingPort", r.accountingPort()).put("timeoutMillis", 5000);
    radius.put("timeoutMillis", 5000).put("retries", 1).put("groupAttribute", "Class")
        .put("passwordProtocol", "PAP").put("requireMessageAuthenticator", false)
        .put("accountingInterimIntervalMillis", 0);
  }

  private static void handshakeRun(ScaleLab lab, KeySpec spec, boolean radius, int rep,
      int concurrency, int seconds) throws Exception {
    lab.startGateway();
    LoadCredentials creds = lab.issueClients("hs", concurrency, spec);
    LoadConfig config = lab.loadConfig().cycle(true).connectsPerSecond(0)
        .trickle(Duration.ZERO);
    if (radius) {
      config.password("bench", "bench-pw");
    }
    LoadGenerator gen = lab.startGenerator(config, creds);
    gen.target(concurrency);
    Thread.sleep(15_000); // warm-up: JIT, TLS caches
    GatewayProbe probe = lab.probe();
    gen.stats().resetConnectTimes();
    double cpu0 = probe.cpuSeconds();
    long hs0 = gen.stats().established();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double cpu = probe.cpuSeconds() - cpu0;
    long hs = gen.stats().established() - hs0;
    double wall = (System.nanoTime() - t0) / 1e9;
    OUT.printf("%s | %s | %d | %d | %.1f | %.0f | %.0f | %d/%d | %.1f%n",
        spec.algorithm() + "-" + spec.size(), radius ? "cert+RADIUS PAP" : "cert", rep, hs,
        cpu, hs / cpu, hs / wall,
        gen.stats().connectMillisQuantile(0.5), gen.stats().connectMillisQuantile(0.99),
        GatewayProbe.loadAverage());
    OUT.println("  generator: " + gen.stats());
    if (radius) {
      // proof that every handshake went through RADIUS: the gateway's own request counter
      double requests = lab.gateway().metrics().entrySet().stream()
          .filter(e -> e.getKey().startsWith("vpngw_radius_requests_total"))
          .mapToDouble(Map.Entry::getValue).sum();
      OUT.printf("  RADIUS requests answered (gateway metric): %.0f%n", requests);
    }
  }

  // ------------------------------------------------------------------------------ soak

  private static void soak(Map<String, String> o) throws Exception {
    Soak.Settings s = new Soak.Settings(
        intOpt(o, "sessions", 1000),
        Duration.ofMinutes(intOpt(o, "minutes", 30)),
        intOpt(o, "tcp-percent", 20),
        Double.parseDouble(o.getOrDefault("churn", "2")),
        Duration.ofSeconds(intOpt(o, "reneg-seconds", 300)),
        Duration.ofSeconds(intOpt(o, "reload-seconds", 60)),
        Duration.ofSeconds(intOpt(o, "sample-seconds", 30)),
        Duration.ofSeconds(10));
    try (ScaleLab lab = ScaleLab.create("soak", "10.98.97.0/24", "10.98.98.0/24", "10.97.0.0",
        s.sessions() * 2 + 100, KeySpec.EC_P256, doc -> { }, Map.of())) {
      lab.startGateway();
      Soak.Result r = Soak.run(lab, s, OUT);
      OUT.printf("%nsoak %s: %s%n", s, r.unexpectedEnds() == 0 ? "PASS" : "FAIL");
    }
  }
}
