package io.vpngateway.operator.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.operator.render.GatewayPorts;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.ManagementTlsFixture;
import io.vpngateway.operator.support.MockServerSetup;
import io.vpngateway.operator.support.RequestLog;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.TestGateways;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code status.connections} end to end: the real operator against the mock API server, a gateway
 * pod whose IP is loopback and whose management port is a local HTTPS server serving the
 * management certificate the operator issued (from the gateway's CA) and checking the token the
 * operator wrote into the config Secret. The operator's client trusts that CA only.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = MockServerSetup.class)
class GatewayConnectionsOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String NS = TestGateways.NAMESPACE;
  static final String GW = "gw-conn";

  @KubernetesTestServer KubernetesServer server;
  @Inject KubernetesClient client;

  volatile String token;
  volatile int openvpnSessions = 2;
  final AtomicInteger scrapes = new AtomicInteger();

  @Test
  void connectionsComeFromTheReadyPodsAndAreWrittenOnlyWhenTheyChange() throws Exception {
    client.resource(TestGateways.openVpn(GW, 1)).create();
    await().atMost(TIMEOUT).until(() -> secret(GW + "-config") != null && sts() != null);
    Secret config = secret(GW + "-config");
    token = SecretData.get(config, "management.token").orElseThrow();
    // the pod serves the management certificate the operator issued into the config Secret
    HttpServer management =
        ManagementTlsFixture.server(
            SecretData.get(config, "management.crt").orElseThrow(),
            SecretData.get(config, "management.key").orElseThrow());
    management.createContext("/", this::metrics);
    management.start();
    try {
      markRunning();
      assertEquals(null, gateway().getStatus().connections, "no pod yet: absent");
      createReadyPod(management.getAddress().getPort());

      await().atMost(TIMEOUT).until(() -> gateway().getStatus().connections != null);
      VpnGatewayStatus.Connections first = gateway().getStatus().connections;
      assertEquals(2, first.active);
      assertEquals(Map.of("OpenVPN", 2), first.byProtocol);

      // unchanged counts: a reconcile asks the pod again but writes no status
      RequestLog.drain(server.getKubernetesMockServer());
      int before = scrapes.get();
      touch("1");
      await().atMost(TIMEOUT).until(() -> scrapes.get() > before);
      List<String> statusWrites =
          RequestLog.writes(RequestLog.drain(server.getKubernetesMockServer())).stream()
              .filter(w -> w.contains("/vpngateways/" + GW + "/status"))
              .toList();
      assertEquals(List.of(), statusWrites, "same counts, no status write");

      // a changed count reaches the status on the next reconcile
      openvpnSessions = 5;
      touch("2");
      await().atMost(TIMEOUT).until(() -> gateway().getStatus().connections.active == 5);
    } finally {
      management.stop(0);
    }
  }

  @Test
  void theManagementPortIsClosedToAllButTheOperatorsPods() {
    String name = "gw-netpol";
    client.resource(TestGateways.openVpn(name, 1)).create();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.network().v1().networkPolicies().inNamespace(NS).withName(name).get()
                        != null
                    // the StatefulSet waits for the config and CRL Secrets; the policy does not
                    && client.apps().statefulSets().inNamespace(NS).withName(name).get() != null);
    var policy = client.network().v1().networkPolicies().inNamespace(NS).withName(name).get();
    assertEquals(Labels.selector(name), policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(
        name,
        policy.getMetadata().getOwnerReferences().get(0).getName(),
        "deleted with its gateway");
    var management =
        policy.getSpec().getIngress().stream()
            .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 9443))
            .toList();
    assertEquals(1, management.size(), "one rule names the management port");
    assertEquals(1, management.get(0).getPorts().size(), "and nothing else");
    var peer = management.get(0).getFrom().get(0);
    // application.properties %test: the operator's namespace; the default pod selector
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "vpngateway-system"),
        peer.getNamespaceSelector().getMatchLabels());
    assertEquals(
        Map.of("app.kubernetes.io/name", "vpngateway-operator"),
        peer.getPodSelector().getMatchLabels());
    // the probes' port is open (the kubelet), and the pods' probes use it
    var sts = client.apps().statefulSets().inNamespace(NS).withName(name).get();
    var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("health", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertTrue(
        policy.getSpec().getIngress().stream()
            .anyMatch(
                r ->
                    r.getFrom().isEmpty()
                        && r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 9080)));
  }

  /** What a gateway's {@code GET /metrics} returns, behind the bearer token. */
  private void metrics(HttpExchange exchange) throws IOException {
    try (exchange) {
      boolean authorized =
          ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
      String body =
          authorized
              ? "# TYPE vpngw_sessions gauge\n"
                  + "vpngw_sessions{protocol=\"OpenVPN\"} "
                  + openvpnSessions
                  + "\nvpngw_sessions{protocol=\"IKEv2\"} 0\n"
              : "a valid bearer token is required\n";
      if (authorized) {
        scrapes.incrementAndGet();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(authorized ? 200 : 401, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** What the cluster's controllers would do: a load balancer address and a ready replica. */
  private void markRunning() {
    Service svc = client.services().inNamespace(NS).withName(GW).get();
    svc.setStatus(
        new ServiceStatusBuilder()
            .withNewLoadBalancer()
            .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.20").build())
            .endLoadBalancer()
            .build());
    client.resource(svc).updateStatus();
    StatefulSet sts = sts();
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
    client.resource(sts).updateStatus();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                gateway().getStatus().conditions.stream()
                    .anyMatch(c -> c.type.equals("Ready") && c.isTrue()));
  }

  /** The StatefulSet controller's pod, with loopback as its IP and the test server's port. */
  private void createReadyPod(int managementPort) {
    Pod pod =
        client
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(GW + "-0")
                    .withNamespace(NS)
                    .withLabels(Labels.of(GW, GatewayComponents.GATEWAY))
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName(VpnGatewayStatefulSetDependentResource.CONTAINER)
                    .withImage("gateway")
                    .addNewPort()
                    .withName(GatewayPorts.MANAGEMENT)
                    .withContainerPort(managementPort)
                    .endPort()
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    pod.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPodIP("127.0.0.1")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
    client.resource(pod).updateStatus();
  }

  /** An annotation edit: a reconcile without a spec change. */
  private void touch(String value) {
    client
        .resources(VpnGateway.class)
        .inNamespace(NS)
        .withName(GW)
        .edit(
            g -> {
              g.getMetadata().getAnnotations().put("touched-by", value);
              return g;
            });
  }

  private VpnGateway gateway() {
    return client.resources(VpnGateway.class).inNamespace(NS).withName(GW).get();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  private StatefulSet sts() {
    return client.apps().statefulSets().inNamespace(NS).withName(GW).get();
  }
}
