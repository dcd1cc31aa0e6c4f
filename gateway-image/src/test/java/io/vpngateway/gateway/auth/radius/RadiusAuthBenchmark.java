package io.vpngateway.gateway.auth.radius;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.radius.RadiusSettings.PasswordProtocol;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: what password authentication (RADIUS, and an OIDC token as the password) costs the
 * gateway, against a real FreeRADIUS (threaded, not debug) and a real issuer (mock-oauth2-server
 * over HTTPS) on loopback. See BENCHMARKS.md.
 *
 * <ol>
 *   <li>Latency added by the gateway per method (PAP, MS-CHAPv2): for {@code N} sequential
 *       logins through the authentication pipeline, the pipeline's wall time minus the time spent
 *       waiting for the server's reply (RADIUS time); p50/p99 of both.
 *   <li>Throughput: {@code C} concurrent logins for {@code S} seconds; logins per second and per
 *       CPU-second of this JVM (the gateway side: pipeline, codec, MD5/HMAC, MS-CHAPv2).
 *   <li>The same two for an OIDC token (RS256 JWT) as the password: signature, iss, aud, exp
 *       checked against the issuer's key set, which is fetched once and cached, so no login waits
 *       for the issuer (its time is measured as the time spent in the issuer's HTTP client, zero
 *       in the steady state). Each login validates a different token of a pool of 256.
 * </ol>
 *
 * Usage: {@code java -cp "$CP" io.vpngateway.gateway.auth.radius.RadiusAuthBenchmark [N] [C] [S]}
 * (as root or any user that may run freeradius).
 */
public final class RadiusAuthBenchmark {
  private static final ClientInfo CLIENT =
      new ClientInfo(VpnProtocol.OpenVPN, "bench", new InetSocketAddress("192.0.2.1", 1194));

  private RadiusAuthBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    System.out.printf("# %s, Java %s, %d CPUs, load average %.2f%n", java.time.Instant.now(),
        Runtime.version(), Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    radius(n, concurrency, seconds);
    io.vpngateway.gateway.auth.oidc.OidcTokenBench.run(n, concurrency, seconds);
    System.out.printf("# done, load average %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static void radius(int n, int concurrency, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("radius-bench");
    try (FreeRadiusServer radius = FreeRadiusServer.builder(dir).secret("bench-secret")
        .debug(false).user("alice", "alice-pw", "Class = \"engineering\"").start()) {
      for (PasswordProtocol protocol : PasswordProtocol.values()) {
        try (RadiusService service = RadiusService.of(RadiusTestSettings.settings(protocol,
            "Class", 2, RadiusTestSettings.endpoint(radius, "bench-secret",
                Duration.ofSeconds(5), 0)))) {
          AuthenticationPipeline pipeline =
              AuthenticationPipeline.builder().password(new RadiusPasswordBackend(service)).build();
          latency(protocol, service, pipeline, n);
          throughput(protocol, pipeline, concurrency, seconds);
        }
      }
    }
  }

  private static void latency(PasswordProtocol protocol, RadiusService service,
      AuthenticationPipeline pipeline, int n) throws Exception {
    for (int i = 0; i < Math.min(500, n); i++) {
      login(pipeline); // warm-up
    }
    long[] total = new long[n];
    long[] server = new long[n];
    long[] added = new long[n];
    long cpu0 = cpuNanos();
    for (int i = 0; i < n; i++) {
      long waitedBefore = waited(service);
      long t0 = System.nanoTime();
      login(pipeline);
      total[i] = System.nanoTime() - t0;
      server[i] = waited(service) - waitedBefore;
      added[i] = total[i] - server[i];
    }
    double cpuPerLogin = (cpuNanos() - cpu0) / 1000.0 / n;
    System.out.printf("%s latency over %d sequential logins (us): total p50 %.0f p99 %.0f |"
            + " RADIUS server p50 %.0f p99 %.0f | added by the gateway p50 %.0f p99 %.0f |"
            + " gateway JVM CPU %.0f us per login (%.0f logins per CPU-second)%n",
        protocol, n, p(total, 50), p(total, 99), p(server, 50), p(server, 99), p(added, 50),
        p(added, 99), cpuPerLogin, 1e6 / cpuPerLogin);
  }

  private static void throughput(PasswordProtocol protocol, AuthenticationPipeline pipeline,
      int concurrency, int seconds) throws Exception {
    throughput(protocol.toString(), () -> login(pipeline), concurrency, seconds);
  }

  /** One login that must be accepted. */
  public interface Login {
    void run() throws Exception;
  }

  /** {@code concurrency} threads logging in for {@code seconds}: logins per s and per CPU-s. */
  public static void throughput(String label, Login login, int concurrency, int seconds)
      throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    CompletableFuture<?>[] workers = new CompletableFuture<?>[concurrency];
    for (int w = 0; w < concurrency; w++) {
      workers[w] = CompletableFuture.runAsync(() -> {
        while (System.nanoTime() < deadline) {
          try {
            login.run();
            done.incrementAndGet();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, r -> new Thread(r, "bench").start());
    }
    CompletableFuture.allOf(workers).get(seconds + 60L, TimeUnit.SECONDS);
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    System.out.printf("%s throughput, %d concurrent for %d s: %.0f logins/s, gateway JVM %.2f"
            + " CPU-s → %.0f logins per gateway CPU-second%n",
        label, concurrency, seconds, done.get() / wall, cpu, done.get() / cpu);
  }

  private static void login(AuthenticationPipeline pipeline) throws Exception {
    AuthResult r = pipeline.authenticate(new ClientCredentials(CLIENT, List.of(),
        Optional.of(PasswordCredential.of("alice", "alice-pw")))).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    if (!(r instanceof AuthResult.Accepted)) {
      throw new IllegalStateException("login refused: " + r);
    }
  }

  /** Server time so far: the health counters do not keep it, so it is summed here. */
  private static long waited(RadiusService service) {
    return service.client().serverNanosTotal();
  }

  /** This JVM's CPU time so far (all threads: the pipeline, the RADIUS pool, GC, JIT). */
  public static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  public static double p(long[] values, int percentile) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(percentile / 100.0 * s.length) - 1)] / 1000.0;
  }
}
