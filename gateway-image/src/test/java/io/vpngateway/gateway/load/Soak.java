package io.vpngateway.gateway.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.load.LoadStats.EndCause;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The endurance soak: a steady number of sessions for a while, with churn (clients leaving and
 * coming back), renegotiation (the clients' timer), a trickle of traffic through every tunnel and
 * a config reload (a pushed route added or removed) every {@link Settings#reloadEvery}. It counts
 * every session that ended without the generator ending it (none may: no client is revoked or
 * refused in a soak), samples the gateway's RSS, threads and file descriptors, and at the end,
 * with churn stopped and every session back, compares threads and descriptors with the same
 * state before the soak.
 */
public final class Soak {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String EXTRA_ROUTE = "10.98.250.0/24";

  /**
   * What to run.
   *
   * @param tcpPercent share of clients on TCP
   * @param churnPerSecond intentional disconnect-and-reconnect per second
   */
  public record Settings(
      int sessions,
      Duration duration,
      int tcpPercent,
      double churnPerSecond,
      Duration renegotiateEvery,
      Duration reloadEvery,
      Duration sampleEvery,
      Duration trickleEvery) {}

  /** One reading of the gateway during the soak. */
  public record Point(double minutes, long rssKb, int threads, int fds, int established) {}

  /** What the soak measured. */
  public record Result(
      long unexpectedEnds,
      List<String> unexpectedDetails,
      long connectFailures,
      long churned,
      long renegotiations,
      long reloadsApplied,
      long reloadsRejected,
      double rssSlopeKbPerMinute,
      GatewayProbe.Sample before,
      GatewayProbe.Sample after,
      int answeringAtEnd,
      int establishedAtEnd,
      List<Point> points,
      String generatorStats) {}

  private Soak() {}

  /** Runs a soak against the lab's running gateway and reports to {@code out}. */
  public static Result run(ScaleLab lab, Settings s, PrintStream out) throws Exception {
    LoadCredentials credentials = lab.issueClients("soak", s.sessions(), KeySpec.EC_P256);
    LoadConfig config = lab.loadConfig()
        .tcpPercent(s.tcpPercent())
        .trickle(s.trickleEvery())
        .renegotiate(s.renegotiateEvery())
        .connectsPerSecond(100)
        .maxDuration(s.duration().plus(Duration.ofMinutes(10)));
    LoadGenerator gen = lab.startGenerator(config, credentials);
    AtomicLong unexpected = new AtomicLong();
    AtomicLong connectFailures = new AtomicLong();
    ConcurrentLinkedQueue<String> details = new ConcurrentLinkedQueue<>();
    gen.listener(new LoadGenerator.Listener() {
      @Override
      public void ended(String client, EndCause cause, boolean wasEstablished, long atNanos) {
        if (cause == EndCause.INTENTIONAL) {
          return;
        }
        if (wasEstablished) {
          unexpected.incrementAndGet();
          if (details.size() < 20) {
            details.add(client + ": " + cause);
          }
        } else {
          connectFailures.incrementAndGet();
        }
      }
    });
    gen.target(s.sessions());
    if (!gen.awaitEstablished(s.sessions(), Duration.ofSeconds(60 + s.sessions() / 20))) {
      throw new IllegalStateException("only " + gen.established() + " of " + s.sessions()
          + " sessions came up: " + gen.stats());
    }
    GatewayProbe probe = lab.probe();
    awaitAnswering(gen, s);
    // full collections before and after: live heap is what a leak grows, RSS mostly follows
    // how far the collector has grown the heap so far
    GatewayProbe.Sample before = probe.sample(true);
    out.printf("soak: %d sessions up (%s); before: rss %d MiB, live heap %d KiB, threads %d,"
            + " fds %d%n", s.sessions(), gen.stats(), before.rssKb() / 1024, before.heapUsedKb(),
        before.threads(), before.fds());
    long reloadsBefore = lab.gateway().metric("vpngw_config_reloads_total", "result", "applied");
    long rejectedBefore = lab.gateway().metric("vpngw_config_reloads_total", "result", "rejected");
    long churnBefore = gen.stats().ended(EndCause.INTENTIONAL);
    long renegBefore = gen.stats().renegotiationsCompleted();
    List<Point> points = new ArrayList<>();
    setChurn(config, s.churnPerSecond());
    long t0 = System.nanoTime();
    long end = t0 + s.duration().toNanos();
    long nextSample = t0;
    long nextReload = t0 + s.reloadEvery().toNanos();
    boolean extraRoute = false;
    while (System.nanoTime() - end < 0) {
      long now = System.nanoTime();
      if (now - nextReload >= 0) {
        extraRoute = !extraRoute;
        editRoutes(lab.stateDirectory(), extraRoute);
        nextReload += s.reloadEvery().toNanos();
      }
      if (now - nextSample >= 0) {
        GatewayProbe.Sample p = probe.sample(false);
        Point point = new Point((now - t0) / 60e9, p.rssKb(), p.threads(), p.fds(),
            gen.established());
        points.add(point);
        out.printf("soak %5.1f min: established %d, rss %d MiB, threads %d, fds %d, "
                + "unexpected ends %d, load %.1f%n", point.minutes(), point.established(),
            p.rssKb() / 1024, p.threads(), p.fds(), unexpected.get(), GatewayProbe.loadAverage());
        nextSample += s.sampleEvery().toNanos();
      }
      Thread.sleep(200);
    }
    setChurn(config, 0);
    if (!gen.awaitEstablished(s.sessions(), Duration.ofSeconds(60))) {
      throw new IllegalStateException("after the soak only " + gen.established() + " of "
          + s.sessions() + " sessions are back: " + gen.stats());
    }
    awaitAnswering(gen, s);
    Thread.sleep(2000);
    GatewayProbe.Sample after = probe.sample(true);
    long reloads = lab.gateway().metric("vpngw_config_reloads_total", "result", "applied")
        - reloadsBefore;
    long rejected = lab.gateway().metric("vpngw_config_reloads_total", "result", "rejected")
        - rejectedBefore;
    Result r = new Result(
        unexpected.get(),
        List.copyOf(details),
        connectFailures.get(),
        gen.stats().ended(EndCause.INTENTIONAL) - churnBefore,
        gen.stats().renegotiationsCompleted() - renegBefore,
        reloads,
        rejected,
        slope(points),
        before,
        after,
        gen.answering(s.trickleEvery().multipliedBy(3)),
        gen.established(),
        points,
        gen.stats().toString());
    out.printf("soak done: unexpected ends %d %s, connect failures %d, churned %d, "
            + "renegotiations %d, reloads applied %d rejected %d, RSS slope %.1f KiB/min, "
            + "live heap %d -> %d KiB, threads %d -> %d, fds %d -> %d, answering %d of %d%n",
        r.unexpectedEnds(), r.unexpectedDetails(), r.connectFailures(), r.churned(),
        r.renegotiations(), r.reloadsApplied(), r.reloadsRejected(), r.rssSlopeKbPerMinute(),
        before.heapUsedKb(), after.heapUsedKb(), before.threads(), after.threads(), before.fds(),
        after.fds(), r.answeringAtEnd(),
        r.establishedAtEnd());
    out.println("generator: " + r.generatorStats());
    return r;
  }

  private static void setChurn(LoadConfig config, double perSecond) {
    config.churnPerSecond = perSecond;
  }

  /** Waits until every established session has had an echo answered recently. */
  private static void awaitAnswering(LoadGenerator gen, Settings s) throws InterruptedException {
    Duration window = s.trickleEvery().multipliedBy(3);
    long end = System.nanoTime() + window.multipliedBy(2).toNanos() + 10_000_000_000L;
    while (gen.answering(window) < gen.established() && System.nanoTime() - end < 0) {
      Thread.sleep(200);
    }
  }

  /**
   * A config reload as the operator makes one: the document rewritten with a pushed route added
   * or removed, renamed over the old one in the watched directory.
   */
  static void editRoutes(Path stateDir, boolean withExtra) throws Exception {
    Path file = stateDir.resolve(ConfigDirectoryLoader.CONFIG_FILE);
    ObjectNode doc = (ObjectNode) YAML.readTree(Files.readString(file));
    ArrayNode routes = (ArrayNode) doc.get("routing").get("routes");
    for (int i = routes.size() - 1; i >= 0; i--) {
      if (routes.get(i).asText().equals(EXTRA_ROUTE)) {
        routes.remove(i);
      }
    }
    if (withExtra) {
      routes.add(EXTRA_ROUTE);
    }
    Path tmp = stateDir.resolve(".config.yaml.tmp");
    Files.writeString(tmp, YAML.writeValueAsString(doc));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Least-squares slope of RSS over time, in KiB per minute (the first fifth left out). */
  static double slope(List<Point> points) {
    List<Point> p = points.subList(points.size() / 5, points.size());
    if (p.size() < 2) {
      return 0;
    }
    double mx = 0;
    double my = 0;
    for (Point x : p) {
      mx += x.minutes();
      my += x.rssKb();
    }
    mx /= p.size();
    my /= p.size();
    double num = 0;
    double den = 0;
    for (Point x : p) {
      num += (x.minutes() - mx) * (x.rssKb() - my);
      den += (x.minutes() - mx) * (x.minutes() - mx);
    }
    return den == 0 ? 0 : num / den;
  }
}
