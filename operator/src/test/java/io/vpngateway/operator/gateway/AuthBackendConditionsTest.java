package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RadiusReachable and OidcIssuerReachable from the pods' reports, through the aggregator. */
class AuthBackendConditionsTest {
  static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  static final String ISSUER = "https://login.corp.example/realms/corp";

  static PodReport report(Map<String, Boolean> radius, Map<String, Boolean> oidc) {
    return new PodReport(Map.of("OpenVPN", 1), radius, oidc);
  }

  static VpnGatewayStatus aggregate(
      VpnGatewayStatus previous, boolean radius, boolean oidc, Optional<AuthHealth> auth) {
    return VpnGatewayStatusAggregator.aggregate(
        previous,
        new VpnGatewayStatusAggregator.Observation(
            1,
            VpnGatewayStatusAggregatorTest.PREPARED,
            Optional.of(VpnGatewayStatusAggregatorTest.sts(2, 2)),
            Optional.of(VpnGatewayStatusAggregatorTest.lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.empty(),
            radius,
            oidc,
            auth),
        T0);
  }

  static Condition find(VpnGatewayStatus s, String type) {
    return Conditions.find(s.conditions, type).orElseThrow(() -> new AssertionError(type));
  }

  @Test
  void everyServerAnsweringIsTrue() {
    var health =
        AuthHealth.of(
            Map.of(
                "gw-0", report(Map.of("10.0.0.5:1812", true, "10.0.0.6:1812", true), Map.of()),
                "gw-1", report(Map.of("10.0.0.5:1812", true), Map.of())));
    Condition c =
        find(aggregate(null, true, false, Optional.of(health)), ConditionTypes.RADIUS_REACHABLE);
    assertEquals(Condition.TRUE, c.status);
    assertEquals(ConditionTypes.REASON_REACHABLE, c.reason);
    assertEquals(
        "RADIUS servers answered their last exchange: 10.0.0.5:1812, 10.0.0.6:1812", c.message);
  }

  @Test
  void aServerDownOnOnePodIsNamedWithThatPod() {
    var health =
        AuthHealth.of(
            Map.of(
                "gw-0", report(Map.of("10.0.0.5:1812", false, "10.0.0.6:1812", true), Map.of()),
                "gw-1", report(Map.of("10.0.0.5:1812", true), Map.of())));
    Condition c =
        find(aggregate(null, true, false, Optional.of(health)), ConditionTypes.RADIUS_REACHABLE);
    assertEquals(Condition.FALSE, c.status);
    assertEquals(ConditionTypes.REASON_SERVER_DOWN, c.reason);
    assertTrue(c.message.contains("10.0.0.5:1812 (no answer on pod gw-0)"), c.message);
    assertTrue(c.message.contains("answering: 10.0.0.6:1812"), c.message);
    VpnGatewayStatus s = aggregate(null, true, false, Optional.of(health));
    assertEquals(
        Condition.TRUE,
        find(s, ConditionTypes.READY).status,
        "a RADIUS server down does not make the gateway unready");
  }

  @Test
  void noServerAnsweringSaysLoginsAreRefused() {
    var health =
        AuthHealth.of(Map.of("gw-0", report(Map.of("10.0.0.5:1812", false), Map.of())));
    Condition c =
        find(aggregate(null, true, false, Optional.of(health)), ConditionTypes.RADIUS_REACHABLE);
    assertEquals(Condition.FALSE, c.status);
    assertEquals(ConditionTypes.REASON_ALL_SERVERS_DOWN, c.reason);
    assertTrue(c.message.contains("AuthServerUnavailable"), c.message);
  }

  @Test
  void anUnreachableIssuerIsFalseAndAReachableOneTrue() {
    var down = AuthHealth.of(Map.of("gw-0", report(Map.of(), Map.of(ISSUER, false))));
    Condition c =
        find(aggregate(null, false, true, Optional.of(down)), ConditionTypes.OIDC_ISSUER_REACHABLE);
    assertEquals(Condition.FALSE, c.status);
    assertEquals(ConditionTypes.REASON_ISSUER_UNREACHABLE, c.reason);
    assertEquals(
        "OIDC issuer " + ISSUER + " does not answer pod gw-0: new OIDC logins are refused"
            + " (AuthServerUnavailable), sessions already up stay",
        c.message);
    var up = AuthHealth.of(Map.of("gw-0", report(Map.of(), Map.of(ISSUER, true))));
    Condition back =
        find(aggregate(null, false, true, Optional.of(up)), ConditionTypes.OIDC_ISSUER_REACHABLE);
    assertEquals(Condition.TRUE, back.status);
    assertEquals(ConditionTypes.REASON_REACHABLE, back.reason);
  }

  @Test
  void unknownUntilAPodTalkedToTheServerKeptWhenNoPodAnswersRemovedWhenUnconfigured() {
    var silent = AuthHealth.of(Map.of("gw-0", report(Map.of(), Map.of())));
    VpnGatewayStatus first = aggregate(null, true, true, Optional.of(silent));
    assertEquals(Condition.UNKNOWN, find(first, ConditionTypes.RADIUS_REACHABLE).status);
    assertEquals(
        ConditionTypes.REASON_NOT_CHECKED, find(first, ConditionTypes.OIDC_ISSUER_REACHABLE).reason);
    var down = AuthHealth.of(Map.of("gw-0", report(Map.of("10.0.0.5:1812", false), Map.of())));
    VpnGatewayStatus failed = aggregate(first, true, true, Optional.of(down));
    assertEquals(Condition.FALSE, find(failed, ConditionTypes.RADIUS_REACHABLE).status);
    VpnGatewayStatus noAnswer = aggregate(failed, true, true, Optional.empty());
    assertEquals(
        find(failed, ConditionTypes.RADIUS_REACHABLE).message,
        find(noAnswer, ConditionTypes.RADIUS_REACHABLE).message,
        "no pod answered: the last known state stays");
    VpnGatewayStatus removed = aggregate(noAnswer, false, false, Optional.of(down));
    assertFalse(
        Conditions.find(removed.conditions, ConditionTypes.RADIUS_REACHABLE).isPresent());
    assertFalse(
        Conditions.find(removed.conditions, ConditionTypes.OIDC_ISSUER_REACHABLE).isPresent());
    assertFalse(
        Conditions.find(
                aggregate(null, false, false, Optional.of(down)).conditions,
                ConditionTypes.RADIUS_REACHABLE)
            .isPresent(),
        "a certificate-only gateway has no RADIUS condition");
  }
}
