package io.vpngateway.gateway.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CI version of the endurance soak ({@link Soak}; the 30-minute run is {@code bench/scale.sh
 * soak --minutes 30}): the production gateway ({@code vpngw serve --config} in a lab namespace)
 * holds {@value #SESSIONS} simulated OpenVPN clients (a fifth over TCP) for two minutes while
 * clients leave and come back (one per second), every client renegotiates every 30 s and the
 * config document is rewritten (a pushed route added or removed) every 30 s. No session the
 * generator did not end may end, every reload must apply, every tunnel must answer at the end,
 * and the gateway may not gain threads or descriptors, more than {@value #LIVE_HEAP_GROWTH_MIB} MiB
 * of live heap (after a full collection, start to end) nor more than {@value #RSS_GROWTH_MIB} MiB of
 * RSS after the first 30 s (the JIT and the heap's first growth).
 */
class SoakTest {
  private static final int SESSIONS = 60;
  private static final Duration DURATION = Duration.ofMinutes(2);
  private static final Duration WARM_UP = Duration.ofSeconds(30);
  /** Generous: a leak of a few KiB per churned session or per renegotiation stays below it. */
  private static final long RSS_GROWTH_MIB = 96;
  /**
   * Live heap (after a full collection) may grow this much from the soak's start to its end, with
   * the same number of sessions up: far below what a per-connection leak of a few KiB over the
   * soak's hundreds of connects and renegotiations would add.
   */
  private static final long LIVE_HEAP_GROWTH_MIB = 16;
  /** Threads and descriptors the JVM may add on its own (compiler and GC workers come and go). */
  private static final int SLACK = 4;

  @Test
  void twoMinutesOfChurnRenegotiationAndReloadsDropNothingAndLeakNothing() throws Exception {
    Prerequisites.requireRoot();
    Soak.Settings settings = new Soak.Settings(
        SESSIONS,
        DURATION,
        20,
        1.0,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2));
    try (ScaleLab lab = ScaleLab.create("soak", "10.98.83.0/24", "10.98.84.0/24", "10.97.0.0",
        SESSIONS * 2, KeySpec.EC_P256, doc -> { }, Map.of())) {
      lab.startGateway();
      Soak.Result r;
      try {
        r = Soak.run(lab, settings, System.out);
      } finally {
        // the gateway's log outlives the lab's directory, for a failure's post-mortem
        Files.writeString(Path.of("target/SoakTest-gateway.log"),
            lab.gateway().process().output());
      }
      check(r);
    }
  }

  private static void check(Soak.Result r) {
    String summary = "soak: " + r;
    assertEquals(0, r.unexpectedEnds(),
        "sessions the generator did not end ended: " + r.unexpectedDetails() + "; " + summary);
    assertTrue(r.churned() >= DURATION.toSeconds() / 2,
        "churn did not happen (" + r.churned() + " churned): " + summary);
    assertTrue(r.renegotiations() >= SESSIONS,
        "too few renegotiations (" + r.renegotiations() + "): " + summary);
    assertTrue(r.reloadsApplied() >= DURATION.dividedBy(Duration.ofSeconds(30)) - 1,
        "config reloads not applied (" + r.reloadsApplied() + "): " + summary);
    assertEquals(0, r.reloadsRejected(), summary);
    assertEquals(SESSIONS, r.establishedAtEnd(), summary);
    assertEquals(r.establishedAtEnd(), r.answeringAtEnd(),
        "tunnels not answering at the end: " + summary);
    assertTrue(r.after().threads() <= r.before().threads() + SLACK,
        "threads grew " + r.before().threads() + " -> " + r.after().threads() + ": " + summary);
    assertTrue(r.after().fds() <= r.before().fds() + SLACK,
        "descriptors grew " + r.before().fds() + " -> " + r.after().fds() + ": " + summary);
    long warm = rssAfterWarmUp(r.points());
    long growthMib = (r.after().rssKb() - warm) / 1024;
    System.out.printf("soak: RSS %d MiB after warm-up, %d MiB at the end (%+d MiB), "
        + "slope %.1f KiB/min%n", warm / 1024, r.after().rssKb() / 1024, growthMib,
        r.rssSlopeKbPerMinute());
    assertTrue(growthMib <= RSS_GROWTH_MIB,
        "RSS grew " + growthMib + " MiB after warm-up: " + r.points());
    if (r.before().heapUsedKb() < 0 || r.after().heapUsedKb() < 0) {
      System.out.println("soak: no jcmd beside the gateway's Java: live heap not compared");
      return;
    }
    long heapGrowthKib = r.after().heapUsedKb() - r.before().heapUsedKb();
    System.out.printf("soak: live heap %d -> %d KiB (%+d KiB)%n", r.before().heapUsedKb(),
        r.after().heapUsedKb(), heapGrowthKib);
    assertTrue(heapGrowthKib <= LIVE_HEAP_GROWTH_MIB * 1024,
        "live heap grew " + heapGrowthKib + " KiB: " + summary);
  }

  private static long rssAfterWarmUp(List<Soak.Point> points) {
    double warm = WARM_UP.toMillis() / 60_000.0;
    for (Soak.Point p : points) {
      if (p.minutes() >= warm) {
        return p.rssKb();
      }
    }
    throw new AssertionError("no sample after the warm-up: " + points);
  }
}
