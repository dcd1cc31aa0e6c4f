package io.vpngateway.gateway.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.load.LoadStats.EndCause;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The load generator against the production gateway ({@code vpngw serve --config} in a lab
 * namespace, {@link ScaleLab}): 50 simulated OpenVPN clients, 10 of them over TCP, each from its
 * own source address in the client namespace, reach the data phase (an ICMP echo through every
 * tunnel is answered by the gateway's kernel), the management API's {@code /sessions} lists every
 * one of them, churn ends and re-establishes sessions without any other ending, and closing the
 * generator ends every session on the gateway (EXIT).
 */
class LoadGeneratorTest {
  private static final int SESSIONS = 50;
  private static final Duration UP = Duration.ofSeconds(180);

  @Test
  void fiftyClientsReachTheDataPhaseChurnAndLeave() throws Exception {
    Prerequisites.requireRoot();
    try (ScaleLab lab = ScaleLab.create("loadgen", "10.98.81.0/24", "10.98.82.0/24", "10.97.0.0",
        SESSIONS * 2, KeySpec.EC_P256, doc -> { }, Map.of())) {
      lab.startGateway();
      try {
        run(lab);
      } finally {
        // the gateway's log outlives the lab's directory, for a failure's post-mortem
        Files.writeString(Path.of("target/LoadGeneratorTest-gateway.log"),
            lab.gateway().process().output());
      }
    }
  }

  private static void run(ScaleLab lab) throws Exception {
    {
      LoadCredentials creds = lab.issueClients("lg", SESSIONS, KeySpec.EC_P256);
      LoadConfig config = lab.loadConfig()
          .tcpPercent(20)
          .trickle(Duration.ofSeconds(1))
          .connectsPerSecond(50)
          .maxDuration(Duration.ofMinutes(8));
      LoadGenerator gen = lab.startGenerator(config, creds);
      gen.target(SESSIONS);

      Wait.until("all " + SESSIONS + " sessions established", UP,
          () -> gen.established() == SESSIONS, () -> gen.stats() + "\n" + lab.gateway().process()
              .tail());
      Wait.until("an echo answered through every tunnel", Duration.ofSeconds(60),
          () -> gen.answering(Duration.ofSeconds(5)) == SESSIONS,
          () -> gen.answering(Duration.ofSeconds(5)) + " answering; " + gen.stats());
      int tcp = 0;
      for (int i = 0; i < SESSIONS; i++) {
        tcp += gen.usesTcp(i) ? 1 : 0;
      }
      assertEquals(10, tcp);

      JsonNode sessions = lab.gateway().sessions();
      assertEquals(SESSIONS, sessions.size(), sessions.toString());
      Set<String> names = new HashSet<>();
      Set<String> outer = new HashSet<>();
      sessions.forEach(s -> {
        names.add(s.toString().replaceAll(".*\"(lg-\\d{5})\".*", "$1"));
        outer.add(s.toString().replaceAll(".*(10\\.97\\.\\d+\\.\\d+).*", "$1"));
      });
      for (int i = 0; i < SESSIONS; i++) {
        assertTrue(names.contains(creds.name(i)), creds.name(i) + " not in " + sessions);
      }
      assertEquals(SESSIONS, outer.size(), "one source address per client: " + sessions);

      // churn: clients leave (EXIT) and come back; nothing else ends a session
      long churnedBefore = gen.stats().ended(EndCause.INTENTIONAL);
      long establishedBefore = gen.stats().established();
      config.churnPerSecond = 10;
      Wait.until("20 sessions churned and re-established", Duration.ofSeconds(120),
          () -> gen.stats().ended(EndCause.INTENTIONAL) - churnedBefore >= 20
              && gen.stats().established() - establishedBefore >= 20,
          gen.stats()::toString);
      config.churnPerSecond = 0;
      Wait.until("every session back after churn", UP, () -> gen.established() == SESSIONS,
          gen.stats()::toString);
      Wait.until("the gateway lists exactly the clients again", Duration.ofSeconds(60),
          () -> lab.gateway().sessions().size() == SESSIONS,
          () -> listed(lab));
      for (EndCause c : EndCause.values()) {
        if (c != EndCause.INTENTIONAL) {
          assertEquals(0, gen.stats().ended(c), c + ": " + gen.stats());
        }
      }
      assertEquals(0, gen.stats().internalErrors(), gen.stats().toString());

      gen.close();
      Wait.until("the gateway ended every session after EXIT", Duration.ofSeconds(60),
          () -> lab.gateway().sessions().isEmpty(),
          () -> listed(lab));
    }
  }

  private static String listed(ScaleLab lab) {
    try {
      return "listed: " + lab.gateway().sessions();
    } catch (Exception e) {
      return "GET /sessions failed: " + e;
    }
  }
}
