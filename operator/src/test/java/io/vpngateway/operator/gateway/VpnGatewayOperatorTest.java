package io.vpngateway.operator.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.AddressPool;
import io.vpngateway.api.v1alpha1.spec.Authentication;
import io.vpngateway.api.v1alpha1.spec.RadiusAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusServer;
import io.vpngateway.api.v1alpha1.spec.Routing;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.operator.support.MockServerSetup;
import io.vpngateway.operator.support.RequestLog;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The real operator against Fabric8's mock API server (CRUD mode). */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = MockServerSetup.class)
class VpnGatewayOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String NS = TestGateways.NAMESPACE;

  @KubernetesTestServer KubernetesServer server;
  @Inject KubernetesClient client;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  @Test
  void gatewayOwnsEveryObjectAndBecomesReady() throws Exception {
    long start = System.nanoTime();
    VpnGateway gw = client.resource(TestGateways.openVpn("gw-full", 2)).create();
    await().atMost(TIMEOUT).until(() -> statefulSet("gw-full") != null && pdb("gw-full") != null);
    long objectsMs = (System.nanoTime() - start) / 1_000_000;

    for (HasMetadata owned :
        List.of(
            secret("gw-full-ca"),
            secret("gw-full-server-tls"),
            secret("gw-full-crl"),
            secret("gw-full-config"),
            statefulSet("gw-full"),
            service("gw-full"),
            pdb("gw-full"))) {
      assertEquals(
          1, owned.getMetadata().getOwnerReferences().size(), owned.getMetadata().getName());
      assertEquals(
          gw.getMetadata().getUid(), owned.getMetadata().getOwnerReferences().get(0).getUid());
      assertEquals(
          "vpngateway-operator",
          owned.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    }
    GatewayConfig config =
        GatewayConfigCodec.read(
            SecretData.get(secret("gw-full-config"), "config.yaml").orElseThrow());
    assertEquals(List.of("OpenVPN"), config.protocols());
    assertEquals(2, config.replicas());
    assertEquals(List.of("10.96.0.10"), config.dns().servers());
    assertEquals(List.of("test.svc.cluster.local"), config.dns().searchDomains());

    StatefulSet sts = statefulSet("gw-full");
    var pod = sts.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertEquals(2, sts.getSpec().getReplicas());
    assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    assertEquals(List.of("NET_ADMIN"), container.getSecurityContext().getCapabilities().getAdd());
    assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(
        "CharDevice",
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("tun"))
            .findFirst()
            .orElseThrow()
            .getHostPath()
            .getType());
    // probes on the plain-HTTP health port: the management port is TLS with the gateway's CA
    assertEquals("health", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertNotNull(
        sts.getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(VpnGatewayStatefulSetDependentResource.RESTART_HASH_ANNOTATION));

    Service svc = service("gw-full");
    assertEquals("LoadBalancer", svc.getSpec().getType());
    assertEquals("ClientIP", svc.getSpec().getSessionAffinity());
    assertEquals(
        List.of("UDP/1194", "TCP/443"),
        svc.getSpec().getPorts().stream().map(p -> p.getProtocol() + "/" + p.getPort()).toList());

    // the cluster's controllers would do this: a load balancer address and ready pods
    svc.setStatus(
        new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
            .withNewLoadBalancer()
            .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.10").build())
            .endLoadBalancer()
            .build());
    client.resource(svc).updateStatus();
    sts.setStatus(
        new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
            .withReplicas(2)
            .withReadyReplicas(2)
            .build());
    client.resource(sts).updateStatus();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> assertEquals(Condition.TRUE, condition("gw-full", ConditionTypes.READY).status));
    long readyMs = (System.nanoTime() - start) / 1_000_000;
    VpnGateway ready = gateway("gw-full");
    assertEquals("203.0.113.10", ready.getStatus().endpoint);
    assertEquals(2, ready.getStatus().replicas.ready);
    assertNull(ready.getStatus().connections, "connections are never invented");
    assertEquals("gw-full-ca", ready.getStatus().objects.caSecret);
    X509Certificate server =
        Pem.decodeCertificate(
            SecretData.get(secret("gw-full-server-tls"), "tls.crt").orElseThrow());
    assertTrue(
        ServerNames.sansOf(server).contains("IP:203.0.113.10"),
        "endpoint in the SANs after re-issue");
    System.out.printf(
        "TIMING gateway create -> all owned objects: %d ms; -> Ready after LB+pods: %d ms%n",
        objectsMs, readyMs);
  }

  @Test
  void unchangedGatewayMakesNoWrite() throws Exception {
    client.resource(TestGateways.openVpn("gw-idem", 1)).create();
    awaitRunning("gw-idem");
    Map<String, String> versions = ownedVersions("gw-idem");
    RequestLog.drain(server.getKubernetesMockServer());

    // a spec change that renders the same config: one reconcile, observable by observedGeneration
    long generation =
        editSpec(
            "gw-idem",
            spec -> {
              spec.routing = new Routing();
              spec.routing.nat = true;
            });
    long start = System.nanoTime();
    await()
        .atMost(TIMEOUT)
        .until(() -> gateway("gw-idem").getStatus().observedGeneration == generation);
    long ms = (System.nanoTime() - start) / 1_000_000;

    List<String> writes = RequestLog.writes(RequestLog.drain(server.getKubernetesMockServer()));
    assertEquals(versions, ownedVersions("gw-idem"), "no owned object was written");
    assertTrue(
        writes.stream().allMatch(w -> w.contains("/vpngateways/gw-idem")),
        "only the gateway and its status: " + writes);
    System.out.printf(
        "TIMING no-op reconcile (spec edit -> observedGeneration): %d ms; writes %s%n", ms, writes);
  }

  @Test
  void reconcileOfAnUnchangedGatewayWritesNothing() throws Exception {
    client.resource(TestGateways.openVpn("gw-still", 1)).create();
    awaitRunning("gw-still");
    Map<String, String> versions = ownedVersions("gw-still");
    await().atMost(TIMEOUT).until(this::vpnGatewayControllerIdle);
    RequestLog.drain(server.getKubernetesMockServer());
    double before = count("reconciliations.success.total", "vpngateway");

    // an annotation leaves spec and generation alone but still triggers a reconcile
    client
        .resources(VpnGateway.class)
        .inNamespace(NS)
        .withName("gw-still")
        .edit(
            g -> {
              g.getMetadata().getAnnotations().put("touched-by", "test");
              return g;
            });
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                count("reconciliations.success.total", "vpngateway") > before
                    && vpnGatewayControllerIdle());

    List<String> writes =
        RequestLog.writes(RequestLog.drain(server.getKubernetesMockServer())).stream()
            .filter(
                w ->
                    w.contains("gw-still")
                        && !w.equals(
                            "PATCH"
                                + " /apis/vpngateway.io/v1alpha1/namespaces/test/vpngateways/gw-still"))
            .toList();
    assertEquals(List.of(), writes, "the operator wrote nothing");
    assertEquals(versions, ownedVersions("gw-still"));
    var timer =
        meters
            .find("reconciliations.execution.duration")
            .tag("controller.name", "vpngateway")
            .timer();
    if (timer != null) {
      System.out.printf(
          "TIMING VpnGateway reconcile (JOSDK timer, this class so far): n=%d mean=%.1f ms max=%.1f"
              + " ms%n",
          timer.count(),
          timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
          timer.max(java.util.concurrent.TimeUnit.MILLISECONDS));
    }
  }

  /** Nothing queued and nothing running in the VpnGateway controller (JOSDK's own gauges). */
  private boolean vpnGatewayControllerIdle() {
    return count("reconciliations.active", "vpngateway") == 0
        && count("reconciliations.queue", "vpngateway") == 0;
  }

  private double count(String meter, String controller) {
    return meters.find(meter).tag("controller.name", controller).meters().stream()
        .flatMap(m -> java.util.stream.StreamSupport.stream(m.measure().spliterator(), false))
        .mapToDouble(io.micrometer.core.instrument.Measurement::getValue)
        .sum();
  }

  @Test
  void hotReloadableChangeKeepsPodsProtocolChangeRollsThem() {
    client.resource(TestGateways.openVpn("gw-roll", 1)).create();
    awaitRunning("gw-roll");
    String hash = restartHash("gw-roll");
    String stsVersion = statefulSet("gw-roll").getMetadata().getResourceVersion();
    String configVersion = secret("gw-roll-config").getMetadata().getResourceVersion();

    editSpec(
        "gw-roll",
        spec -> {
          spec.routing = new Routing();
          spec.routing.routes = List.of("10.96.0.0/12");
        });
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !secret("gw-roll-config").getMetadata().getResourceVersion().equals(configVersion));
    assertTrue(
        SecretData.get(secret("gw-roll-config"), "config.yaml")
            .orElseThrow()
            .contains("10.96.0.0/12"));
    assertEquals(
        stsVersion,
        statefulSet("gw-roll").getMetadata().getResourceVersion(),
        "routes are hot-reloaded: pods untouched");

    editSpec("gw-roll", spec -> spec.protocols = List.of(VpnProtocol.OpenVPN, VpnProtocol.IKEv2));
    await().atMost(TIMEOUT).until(() -> !restartHash("gw-roll").equals(hash));
    assertEquals(
        List.of(1194, 443, 500, 4500),
        service("gw-roll").getSpec().getPorts().stream().map(p -> p.getPort()).toList());
  }

  @Test
  void invalidSpecIsReportedAndNothingRunningIsTouched() {
    client.resource(TestGateways.openVpn("gw-bad", 1)).create();
    awaitRunning("gw-bad");
    String stsVersion = statefulSet("gw-bad").getMetadata().getResourceVersion();
    String configVersion = secret("gw-bad-config").getMetadata().getResourceVersion();

    // 16 addresses for 4 replicas: slices too small to use; the schema cannot know that
    editSpec(
        "gw-bad",
        spec -> {
          spec.replicas = 4;
          spec.clientAddressPools = List.of(new AddressPool("10.9.0.0/28", List.of(), 0));
        });
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Condition ready = condition("gw-bad", ConditionTypes.READY);
              assertEquals(ConditionTypes.REASON_INVALID_SPEC, ready.reason);
              assertEquals(Condition.FALSE, ready.status);
              assertTrue(ready.message.contains("clientAddressPools[0]"), ready.message);
            });
    assertEquals(stsVersion, statefulSet("gw-bad").getMetadata().getResourceVersion());
    assertEquals(configVersion, secret("gw-bad-config").getMetadata().getResourceVersion());
    assertNull(pdb("gw-bad"));
  }

  @Test
  void missingRadiusSecretIsNamedPickedUpWhenCreatedAndHotReloadedWhenRotated() {
    VpnGateway gw = TestGateways.openVpn("gw-radius", 1);
    RadiusServer radius = new RadiusServer();
    radius.address = "radius.example.net";
    radius.secretRef = new SecretKeyRef("radius-shared", null);
    gw.getSpec().authentication = new Authentication();
    gw.getSpec().authentication.radius = new RadiusAuthentication();
    gw.getSpec().authentication.radius.servers = List.of(radius);
    client.resource(gw).create();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Condition config = condition("gw-radius", ConditionTypes.CONFIG_READY);
              assertEquals(ConditionTypes.REASON_SECRET_NOT_FOUND, config.reason);
              assertTrue(config.message.contains("'radius-shared'"), config.message);
            });
    assertNull(statefulSet("gw-radius"));

    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("radius-shared")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("secret", "s3cr3t-value"))
                .build())
        .create();
    await().atMost(TIMEOUT).until(() -> secret("gw-radius-config") != null);
    assertEquals(
        "s3cr3t-value",
        SecretData.get(secret("gw-radius-config"), "radius-0.secret").orElseThrow());
    VpnGateway status = gateway("gw-radius");
    assertFalse(
        client.getKubernetesSerialization().asJson(status.getStatus()).contains("s3cr3t-value"));

    // rotating the RADIUS secret reaches the config Secret; the pods are not restarted
    awaitRunning("gw-radius");
    String stsVersion = statefulSet("gw-radius").getMetadata().getResourceVersion();
    client
        .secrets()
        .inNamespace(NS)
        .withName("radius-shared")
        .edit(
            s -> {
              s.setStringData(null);
              s.setData(Map.of("secret", SecretData.encodeValue("rotated-value")));
              return s;
            });
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                SecretData.get(secret("gw-radius-config"), "radius-0.secret")
                    .orElseThrow()
                    .equals("rotated-value"));
    assertEquals(stsVersion, statefulSet("gw-radius").getMetadata().getResourceVersion());
  }

  @Test
  void lostCaSecretIsReportedNeverRegenerated() {
    client.resource(TestGateways.openVpn("gw-calost", 1)).create();
    awaitRunning("gw-calost");
    client.secrets().inNamespace(NS).withName("gw-calost-ca").delete();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertEquals(
                    ConditionTypes.REASON_CA_LOST,
                    condition("gw-calost", ConditionTypes.CERTIFICATES_READY).reason));
    assertNull(secret("gw-calost-ca"), "no new CA");
    assertEquals(
        ConditionTypes.REASON_CA_LOST, condition("gw-calost", ConditionTypes.READY).reason);
  }

  /**
   * Waits until the first reconcile wrote its status: a running gateway. (A spec edit racing a
   * reconcile makes its conditional status write fail with 409 and the reconcile is retried.)
   */
  private void awaitRunning(String name) {
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                statefulSet(name) != null
                    && gateway(name).getStatus() != null
                    && gateway(name).getStatus().objects != null);
  }

  /** Edits the spec with a patch (never writes back a stale status); returns the new generation. */
  private long editSpec(
      String name, java.util.function.Consumer<io.vpngateway.api.v1alpha1.VpnGatewaySpec> change) {
    return client
        .resources(VpnGateway.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            g -> {
              change.accept(g.getSpec());
              return g;
            })
        .getMetadata()
        .getGeneration();
  }

  private String restartHash(String name) {
    return statefulSet(name)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(VpnGatewayStatefulSetDependentResource.RESTART_HASH_ANNOTATION);
  }

  private Map<String, String> ownedVersions(String name) {
    Map<String, String> versions = new java.util.TreeMap<>();
    for (HasMetadata o :
        List.of(
            secret(name + "-ca"),
            secret(name + "-server-tls"),
            secret(name + "-crl"),
            secret(name + "-config"),
            statefulSet(name),
            service(name))) {
      versions.put(
          o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    return versions;
  }

  private Condition condition(String gateway, String type) {
    VpnGateway gw = gateway(gateway);
    Optional<Condition> c =
        gw.getStatus() == null
            ? Optional.empty()
            : Conditions.find(gw.getStatus().conditions, type);
    return c.orElse(new Condition(type, "Missing", null, ""));
  }

  private VpnGateway gateway(String name) {
    return client.resources(VpnGateway.class).inNamespace(NS).withName(name).get();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  private StatefulSet statefulSet(String name) {
    return client.apps().statefulSets().inNamespace(NS).withName(name).get();
  }

  private Service service(String name) {
    return client.services().inNamespace(NS).withName(name).get();
  }

  private PodDisruptionBudget pdb(String name) {
    return client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(name).get();
  }
}
