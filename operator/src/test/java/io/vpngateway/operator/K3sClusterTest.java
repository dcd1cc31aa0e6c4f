package io.vpngateway.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.operator.clientcert.ClientCertificateIssuance;
import io.vpngateway.operator.clientcert.ClientCertificateReconciler;
import io.vpngateway.operator.gateway.GatewayPreparer;
import io.vpngateway.operator.gateway.VpnGatewayReconciler;
import io.vpngateway.operator.support.TestGateways;
import io.vpngateway.operator.support.TestOperatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * On a real API server (k3s in Docker; skipped where there is no Docker, as on the build machine):
 * the Helm chart installs (CRDs valid for apiextensions.k8s.io/v1, RBAC accepted), the reconcilers
 * run with server-side apply against it, and a gateway gets its certificates, config and pods. The
 * gateway pods become ready when {@code -Dvpngateway.it.gatewayImage=...} names a gateway image the
 * cluster can pull (the operator image is not needed: the reconcilers run in this JVM).
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sClusterTest {
  static final Duration TIMEOUT = Duration.ofMinutes(5);

  @Container
  static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"))
          .withCommand(
              "server",
              "--disable=traefik",
              "--kubelet-arg=allowed-unsafe-sysctls=net.ipv4.ip_forward");

  @Test
  void chartInstallsAndAGatewayIsDeployed() throws Exception {
    String kubeconfig = K3S.getKubeConfigYaml();
    new Helm(Path.of("../deploy/helm/vpngateway-operator"))
        .install()
        .withKubeConfigContents(kubeconfig)
        .withName("vpngw")
        .withNamespace("vpn-system")
        .createNamespace()
        .set("replicaCount", 0)
        .call();

    Optional<String> gatewayImage =
        Optional.ofNullable(System.getProperty("vpngateway.it.gatewayImage"));
    TestOperatorConfig config =
        new TestOperatorConfig(
            gatewayImage.orElse("ghcr.io/vpngateway/gateway:0.1.0"), Optional.empty());
    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      Operator operator =
          new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
      operator.register(new VpnGatewayReconciler(new GatewayPreparer(config), config));
      operator.register(new ClientCertificateReconciler(new ClientCertificateIssuance(config)));
      operator.start();
      try {
        client
            .namespaces()
            .resource(
                new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata()
                    .withName(TestGateways.NAMESPACE)
                    .endMetadata()
                    .build())
            .serverSideApply();
        VpnGateway gw = TestGateways.openVpn("k3s-gw", 1);
        gw.getSpec().service = new ServiceSpec();
        gw.getSpec().service.type = ServiceSpec.Type.ClusterIP;
        client.resource(gw).create();
        await()
            .atMost(TIMEOUT)
            .untilAsserted(
                () -> {
                  VpnGateway current =
                      client
                          .resources(VpnGateway.class)
                          .inNamespace(TestGateways.NAMESPACE)
                          .withName("k3s-gw")
                          .get();
                  assertTrue(
                      Conditions.find(
                              current.getStatus().conditions, ConditionTypes.CERTIFICATES_READY)
                          .orElseThrow()
                          .isTrue());
                  assertTrue(
                      Conditions.find(current.getStatus().conditions, ConditionTypes.CONFIG_READY)
                          .orElseThrow()
                          .isTrue());
                });
        StatefulSet sts =
            client
                .apps()
                .statefulSets()
                .inNamespace(TestGateways.NAMESPACE)
                .withName("k3s-gw")
                .get();
        assertEquals(1, sts.getSpec().getReplicas());
        if (gatewayImage.isPresent()) {
          await()
              .atMost(TIMEOUT)
              .untilAsserted(
                  () -> {
                    VpnGateway current =
                        client
                            .resources(VpnGateway.class)
                            .inNamespace(TestGateways.NAMESPACE)
                            .withName("k3s-gw")
                            .get();
                    assertTrue(
                        Conditions.find(current.getStatus().conditions, ConditionTypes.READY)
                            .orElseThrow()
                            .isTrue());
                  });
        }
      } finally {
        operator.stop();
      }
    }
  }
}
