package io.vpngateway.operator.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's Helm chart: lint, render, least-privilege RBAC, CRDs identical to crds/. */
class HelmChartTest {
  static final Path CHART = Path.of("../deploy/helm/vpngateway-operator");
  static final Path CRDS = Path.of("../crds");

  /**
   * Every verb the operator uses, per resource, and nothing else. Informers: get/list/watch.
   * Dependents apply server-side (create + patch). Secrets also: update (a revocation writes the
   * CRL with its resourceVersion) and delete (the operator's server certificate Secret when the
   * user brings their own). PodDisruptionBudgets: delete when a gateway drops to one replica.
   * ClientCertificates: patch (the revocation finalizer). Status: patch. Pods: read only (an
   * informer for the connections probe). NetworkPolicies: one per gateway, applied like the
   * other dependents, deleted with it by its owner reference.
   */
  static final Map<String, Set<String>> OPERATOR_VERBS =
      new TreeMap<>(
          Map.of(
              "vpngateway.io/vpngateways", Set.of("get", "list", "watch"),
              "vpngateway.io/clientcertificates", Set.of("get", "list", "watch", "patch"),
              "vpngateway.io/vpngateways/status", Set.of("patch"),
              "vpngateway.io/clientcertificates/status", Set.of("patch"),
              "/secrets", Set.of("get", "list", "watch", "create", "update", "patch", "delete"),
              "/pods", Set.of("get", "list", "watch"),
              "/services", Set.of("get", "list", "watch", "create", "patch"),
              "apps/statefulsets", Set.of("get", "list", "watch", "create", "patch"),
              "policy/poddisruptionbudgets",
                  Set.of("get", "list", "watch", "create", "patch", "delete"),
              "networking.k8s.io/networkpolicies",
                  Set.of("get", "list", "watch", "create", "patch")));

  static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  void chartCrdsAreByteForByteTheCommittedOnes() throws IOException {
    List<String> committed = names(CRDS);
    assertEquals(committed, names(CHART.resolve("crds")));
    for (String name : committed) {
      assertArrayEquals(
          Files.readAllBytes(CRDS.resolve(name)),
          Files.readAllBytes(CHART.resolve("crds").resolve(name)),
          name + " in the chart differs from crds/: copy crds/*.yaml into the chart");
    }
  }

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
  }

  @Test
  void clusterWideInstallHasExactlyTheVerbsTheOperatorUses() {
    List<HasMetadata> objects = render(null);
    ClusterRole role = only(objects, ClusterRole.class);
    assertEquals(OPERATOR_VERBS, verbs(role.getRules()));
    assertTrue(
        objects.stream()
            .noneMatch(
                o -> o instanceof Role && !o.getMetadata().getName().endsWith("-leader-election")));
    Role leader =
        objects.stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .findFirst()
            .orElseThrow();
    assertEquals("vpn-system", leader.getMetadata().getNamespace());
    assertEquals(
        Map.of("coordination.k8s.io/leases", Set.of("get", "create", "update")),
        verbs(leader.getRules()));

    Deployment deployment = only(objects, Deployment.class);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("JOSDK_ALL_NAMESPACES", env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES"));
    assertEquals("ghcr.io/vpngateway/operator:0.1.0", operator.getImage());
    assertEquals("ghcr.io/vpngateway/gateway:0.1.0", env(operator, "VPNGATEWAY_GATEWAY_IMAGE"));
    assertEquals("INFO", env(operator, "VPNGATEWAY_LOG_LEVEL"));
    // what the gateways' NetworkPolicy admits: the release's pods, in the release's namespace
    Map<String, String> podLabels =
        deployment.getSpec().getTemplate().getMetadata().getLabels();
    for (String pair : env(operator, "VPNGATEWAY_OPERATOR_POD_SELECTOR").split(",")) {
      String[] kv = pair.split("=", 2);
      assertEquals(kv[1], podLabels.get(kv[0]), "the operator pods carry " + pair);
    }
    assertEquals(
        "metadata.namespace",
        operator.getEnv().stream()
            .filter(e -> e.getName().equals("VPNGATEWAY_OPERATOR_NAMESPACE"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());
    assertEquals(List.of("ALL"), operator.getSecurityContext().getCapabilities().getDrop());
    assertTrue(operator.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(
        "/q/metrics",
        deployment
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get("prometheus.io/path"));
    assertEquals("192Mi", operator.getResources().getRequests().get("memory").toString());
  }

  @Test
  void watchedNamespacesGetRolesInsteadOfAClusterRole(@TempDir Path tmp) throws IOException {
    Path values = tmp.resolve("values.yaml");
    Files.writeString(
        values,
        "watchNamespaces: [tenant-a, tenant-b]\n"
            + "gateway:\n"
            + "  image: registry.local/gw:1\n"
            + "logLevel: DEBUG\n");
    List<HasMetadata> objects = render(values);
    assertTrue(objects.stream().noneMatch(ClusterRole.class::isInstance));
    List<Role> roles =
        objects.stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .filter(r -> !r.getMetadata().getName().endsWith("-leader-election"))
            .toList();
    assertEquals(
        List.of("tenant-a", "tenant-b"),
        roles.stream().map(r -> r.getMetadata().getNamespace()).toList());
    roles.forEach(r -> assertEquals(OPERATOR_VERBS, verbs(r.getRules())));
    Container operator =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("tenant-a,tenant-b", env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES"));
    assertEquals("registry.local/gw:1", env(operator, "VPNGATEWAY_GATEWAY_IMAGE"));
    assertEquals("DEBUG", env(operator, "VPNGATEWAY_LOG_LEVEL"));
  }

  private static List<HasMetadata> render(Path valuesFile) {
    var template = new Helm(CHART).template().withName("vpngw").withNamespace("vpn-system");
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    String yaml = template.call();
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(YAML.unmarshal(doc, HasMetadata.class));
      }
    }
    return objects;
  }

  private static Map<String, Set<String>> verbs(List<PolicyRule> rules) {
    Map<String, Set<String>> verbs = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          verbs
              .computeIfAbsent(group + "/" + resource, k -> new TreeSet<>())
              .addAll(rule.getVerbs());
        }
      }
    }
    return verbs;
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), type.getSimpleName());
    return found.get(0);
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
