package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a gateway is reconciled without an event: renewals are scheduled, connections polled. */
class VpnGatewayWakeUpTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Duration POLL = Duration.ofSeconds(30);

  static Optional<Duration> wakeUp(Optional<Instant> renewAt, boolean ready) {
    return VpnGatewayReconciler.nextWakeUp(NOW, renewAt, ready, POLL);
  }

  @Test
  void aGatewayThatIsNotReadyWakesOnlyForItsRenewal() {
    Instant renewAt = NOW.plus(Duration.ofDays(60));
    assertEquals(Optional.of(Duration.ofDays(60)), wakeUp(Optional.of(renewAt), false));
    assertEquals(Optional.empty(), wakeUp(Optional.empty(), false), "nothing to wait for");
  }

  @Test
  void aReadyGatewayIsPolledForItsConnections() {
    assertEquals(Optional.of(POLL), wakeUp(Optional.of(NOW.plus(Duration.ofDays(60))), true));
    assertEquals(Optional.of(POLL), wakeUp(Optional.empty(), true), "invalid spec, still serving");
  }

  @Test
  void aRenewalSoonerThanThePollWins() {
    assertEquals(
        Optional.of(Duration.ofSeconds(10)),
        wakeUp(Optional.of(NOW.plus(Duration.ofSeconds(10))), true));
    assertEquals(
        Optional.of(Duration.ofSeconds(1)),
        wakeUp(Optional.of(NOW.minus(Duration.ofHours(1))), false),
        "overdue: soon, but never a busy loop");
  }
}
