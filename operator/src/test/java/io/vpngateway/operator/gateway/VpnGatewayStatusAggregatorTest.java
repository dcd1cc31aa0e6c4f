package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.vpngateway.api.config.ConfigError;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.operator.support.TestGateways;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The VpnGateway status aggregator, table-driven: observations in, conditions out. */
class VpnGatewayStatusAggregatorTest {
  static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
  static final Preparation PREPARED =
      new Preparation.Prepared(GatewayDependentsTest.inputs(TestGateways.openVpn("gw", 2)));

  static StatefulSet sts(int desired, int ready) {
    return new StatefulSetBuilder()
        .withNewSpec()
        .withReplicas(desired)
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(ready)
        .endStatus()
        .build();
  }

  static Service lb(String ip) {
    ServiceBuilder b = new ServiceBuilder().withNewSpec().withType("LoadBalancer").endSpec();
    if (ip != null) {
      b.withNewStatus()
          .withNewLoadBalancer()
          .withIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
          .endLoadBalancer()
          .endStatus();
    }
    return b.build();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "all good",
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            "True",
            "Ready",
            "gateway ready at 203.0.113.1"),
        Arguments.of(
            "pods starting",
            PREPARED,
            Optional.of(sts(2, 1)),
            Optional.of(lb("203.0.113.1")),
            "False",
            "Progressing",
            "1/2 replicas ready"),
        Arguments.of(
            "no StatefulSet yet",
            PREPARED,
            Optional.empty(),
            Optional.empty(),
            "False",
            "Progressing",
            "the gateway StatefulSet does not exist yet"),
        Arguments.of(
            "waiting for LB",
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb(null)),
            "False",
            "Pending",
            "waiting for the load balancer to assign an address"),
        Arguments.of(
            "invalid spec wins",
            new Preparation.InvalidSpec(
                List.of(new ConfigError("clientAddressPools[0].cidr", "too small"))),
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            "False",
            "InvalidSpec",
            "clientAddressPools[0].cidr: too small"),
        Arguments.of(
            "missing secret",
            new Preparation.MissingSecrets(
                List.of("Secret 'r' (authentication.radius.servers[0].secretRef) not found")),
            Optional.empty(),
            Optional.empty(),
            "False",
            "SecretNotFound",
            "Secret 'r' (authentication.radius.servers[0].secretRef) not found"),
        Arguments.of(
            "CA lost",
            new Preparation.CaSecretLost("gw-ca"),
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            "False",
            "CaSecretLost",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readySummarisesTheFirstProblem(
      String name,
      Preparation preparation,
      Optional<StatefulSet> sts,
      Optional<Service> svc,
      String status,
      String reason,
      String message) {
    VpnGatewayStatus result =
        VpnGatewayStatusAggregator.aggregate(
            null,
            new VpnGatewayStatusAggregator.Observation(
                3, preparation, sts, svc, 2, "LoadBalancer", Optional.empty()),
            T0);
    Condition ready = Conditions.find(result.conditions, ConditionTypes.READY).orElseThrow();
    assertEquals(status, ready.status, name);
    assertEquals(reason, ready.reason, name);
    if (message != null) {
      assertEquals(message, ready.message, name);
    }
    assertEquals(3L, result.observedGeneration);
    assertEquals(3L, ready.observedGeneration);
    assertNull(result.connections, "never invented");
    assertEquals(5, result.conditions.size());
  }

  @Test
  void connectionsAreWhatThePodsReportedOrAbsent() {
    VpnGatewayStatus.Connections counted = new VpnGatewayStatus.Connections();
    counted.active = 4;
    counted.byProtocol.put("OpenVPN", 4);
    var answered =
        new VpnGatewayStatusAggregator.Observation(
            1,
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.of(counted));
    VpnGatewayStatus first = VpnGatewayStatusAggregator.aggregate(null, answered, T0);
    assertEquals(4, first.connections.active);
    assertEquals(java.util.Map.of("OpenVPN", 4), first.connections.byProtocol);
    var silent =
        new VpnGatewayStatusAggregator.Observation(
            1,
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.empty());
    assertNull(
        VpnGatewayStatusAggregator.aggregate(first, silent, T0.plusSeconds(30)).connections,
        "a count nobody reported is not carried over");
  }

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    var pending =
        new VpnGatewayStatusAggregator.Observation(
            1,
            PREPARED,
            Optional.of(sts(2, 1)),
            Optional.of(lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.empty());
    VpnGatewayStatus first = VpnGatewayStatusAggregator.aggregate(null, pending, T0);
    VpnGatewayStatus same =
        VpnGatewayStatusAggregator.aggregate(first, pending, T0.plusSeconds(30));
    assertEquals(
        T0.toString(),
        Conditions.find(same.conditions, ConditionTypes.READY).orElseThrow().lastTransitionTime);
    var ready =
        new VpnGatewayStatusAggregator.Observation(
            1,
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.empty());
    VpnGatewayStatus flipped =
        VpnGatewayStatusAggregator.aggregate(same, ready, T0.plusSeconds(60));
    assertEquals(
        T0.plusSeconds(60).toString(),
        Conditions.find(flipped.conditions, ConditionTypes.READY).orElseThrow().lastTransitionTime);
    assertEquals(
        T0.toString(),
        Conditions.find(flipped.conditions, ConditionTypes.CONFIG_READY)
            .orElseThrow()
            .lastTransitionTime);
  }

  @Test
  void invalidSpecKeepsWhatWasObservedBefore() {
    var good =
        new VpnGatewayStatusAggregator.Observation(
            1,
            PREPARED,
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            2,
            "LoadBalancer",
            Optional.empty());
    VpnGatewayStatus running = VpnGatewayStatusAggregator.aggregate(null, good, T0);
    var bad =
        new VpnGatewayStatusAggregator.Observation(
            2,
            new Preparation.InvalidSpec(List.of(new ConfigError("replicas", "x"))),
            Optional.of(sts(2, 2)),
            Optional.of(lb("203.0.113.1")),
            4,
            "LoadBalancer",
            Optional.empty());
    VpnGatewayStatus result = VpnGatewayStatusAggregator.aggregate(running, bad, T0.plusSeconds(5));
    assertEquals(running.objects.caSecret, result.objects.caSecret);
    assertEquals(running.podConfigHash, result.podConfigHash);
    Condition certs =
        Conditions.find(result.conditions, ConditionTypes.CERTIFICATES_READY).orElseThrow();
    assertTrue(certs.isTrue());
    assertEquals(1L, certs.observedGeneration, "not re-evaluated for generation 2");
    assertEquals("203.0.113.1", result.endpoint);
  }

  @Test
  void errorsBecomeReadyFalseWithoutSecretMaterial() {
    VpnGatewayStatus status =
        VpnGatewayStatusAggregator.error(null, 4, new IllegalStateException("boom"), T0);
    Condition ready = Conditions.find(status.conditions, ConditionTypes.READY).orElseThrow();
    assertEquals(ConditionTypes.REASON_RECONCILE_ERROR, ready.reason);
    assertEquals("IllegalStateException: boom", ready.message);
  }
}
