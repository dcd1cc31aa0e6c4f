package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Summing the pods' answers, with the HTTP side faked. */
class ConnectionsProbeTest {
  static final Optional<ManagementApi.Access> TOKEN =
      Optional.of(
          new ManagementApi.Access(
              "q8V0mR1sT2uV3wX4yZ5aB6cD7eF8gH9i",
              io.vpngateway.api.pki.CertificateAuthority.create(
                      "gw", io.vpngateway.api.pki.KeySpec.EC_P256, java.time.Instant.now())
                  .certificate(),
              io.vpngateway.api.pki.ManagementTls.identity("vpn", "gw")));

  /** Answers by pod IP; an IP it does not know never answers. */
  static final class FakeApi implements ManagementApi {
    final Map<String, CompletableFuture<Map<String, Integer>>> answers;
    final List<InetSocketAddress> asked = new ArrayList<>();

    FakeApi(Map<String, CompletableFuture<Map<String, Integer>>> answers) {
      this.answers = answers;
    }

    @Override
    public synchronized CompletableFuture<Map<String, Integer>> sessionsByProtocol(
        InetSocketAddress address, ManagementApi.Access access) {
      asked.add(address);
      return answers.getOrDefault(address.getHostString(), new CompletableFuture<>());
    }
  }

  static Pod pod(String name, String ip, boolean ready, Integer managementPort) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("vpn")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("gateway")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPodIP(ip)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .endStatus();
    Pod built = pod.build();
    if (managementPort != null) {
      built
          .getSpec()
          .getContainers()
          .get(0)
          .getPorts()
          .add(
              new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                  .withName("management")
                  .withContainerPort(managementPort)
                  .build());
    }
    return built;
  }

  static CompletableFuture<Map<String, Integer>> answer(Map<String, Integer> counts) {
    return CompletableFuture.completedFuture(counts);
  }

  @Test
  void sumsEveryReadyPodThatAnswered() {
    var api =
        new FakeApi(
            Map.of(
                "10.0.0.1", answer(Map.of("OpenVPN", 3, "IKEv2", 0, "SSTP", 1)),
                "10.0.0.2", answer(Map.of("OpenVPN", 2, "IKEv2", 4, "SSTP", 0)),
                "10.0.0.3", answer(Map.of("OpenVPN", 100))));
    var probe = new ConnectionsProbe(api, Duration.ofSeconds(1));
    VpnGatewayStatus.Connections c =
        probe
            .probe(
                List.of(
                    pod("gw-0", "10.0.0.1", true, 9443),
                    pod("gw-1", "10.0.0.2", true, null),
                    pod("gw-2", "10.0.0.3", false, 9443)),
                TOKEN)
            .orElseThrow();
    assertEquals(10, c.active);
    assertEquals(Map.of("OpenVPN", 5, "IKEv2", 4, "SSTP", 1), c.byProtocol);
    assertEquals(2, api.asked.size(), "the unready pod is not asked");
    assertTrue(
        api.asked.stream().allMatch(a -> a.getPort() == GatewayConfigRenderer.MANAGEMENT_PORT));
  }

  @Test
  void anIdleGatewayReportsZeroNotAbsent() {
    var api = new FakeApi(Map.of("10.0.0.1", answer(Map.of("OpenVPN", 0, "SSTP", 0))));
    var c =
        new ConnectionsProbe(api, Duration.ofSeconds(1))
            .probe(List.of(pod("gw-0", "10.0.0.1", true, 9443)), TOKEN)
            .orElseThrow();
    assertEquals(0, c.active);
    assertEquals(Map.of(), c.byProtocol);
  }

  @Test
  void nothingIsInventedWhenNoPodAnswers() {
    var failed = new CompletableFuture<Map<String, Integer>>();
    failed.completeExceptionally(new IllegalStateException("401"));
    var api = new FakeApi(Map.of("10.0.0.1", failed));
    var probe = new ConnectionsProbe(api, Duration.ofMillis(200));
    assertEquals(
        Optional.empty(),
        probe.probe(
            List.of(pod("gw-0", "10.0.0.1", true, 9443), pod("gw-1", "10.0.0.2", true, 9443)),
            TOKEN));
    assertEquals(Optional.empty(), probe.probe(List.of(), TOKEN), "no pods");
    assertEquals(
        Optional.empty(),
        probe.probe(List.of(pod("gw-0", "10.0.0.1", true, 9443)), Optional.empty()),
        "no token yet");
    assertEquals(
        Optional.empty(),
        probe.probe(List.of(pod("gw-0", null, true, 9443)), TOKEN),
        "a pod without an IP is not asked");
  }

  @Test
  void aSilentPodCostsAtMostTheDeadlineAndTheOthersStillCount() {
    var api = new FakeApi(Map.of("10.0.0.1", answer(Map.of("OpenVPN", 7))));
    var probe = new ConnectionsProbe(api, Duration.ofMillis(300));
    long start = System.nanoTime();
    var c =
        probe
            .probe(
                List.of(
                    pod("gw-0", "10.0.0.1", true, 9443),
                    pod("gw-1", "10.0.0.2", true, 9443),
                    pod("gw-2", "10.0.0.3", true, 9443)),
                TOKEN)
            .orElseThrow();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(7, c.active);
    assertTrue(millis >= 250 && millis < 2000, "waited " + millis + " ms for two silent pods");
  }

  @Test
  void authenticationServersAreMergedOverThePodsThatAnswered() {
    ManagementApi api =
        new ManagementApi() {
          @Override
          public CompletableFuture<Map<String, Integer>> sessionsByProtocol(
              InetSocketAddress address, ManagementApi.Access access) {
            throw new AssertionError("the probe asks for the whole report");
          }

          @Override
          public CompletableFuture<PodReport> report(
              InetSocketAddress address, ManagementApi.Access access) {
            return switch (address.getHostString()) {
              case "10.0.0.1" -> CompletableFuture.completedFuture(
                  new PodReport(Map.of("OpenVPN", 2), Map.of("r1:1812", false), Map.of()));
              case "10.0.0.2" -> CompletableFuture.completedFuture(
                  new PodReport(
                      Map.of("OpenVPN", 1),
                      Map.of("r1:1812", true, "r2:1812", true),
                      Map.of("https://idp", true)));
              default -> new CompletableFuture<>();
            };
          }
        };
    ConnectionsProbe.Probe p =
        new ConnectionsProbe(api, Duration.ofMillis(300))
            .probeGateway(
                List.of(
                    pod("gw-0", "10.0.0.1", true, 9443),
                    pod("gw-1", "10.0.0.2", true, 9443),
                    pod("gw-2", "10.0.0.3", true, 9443)),
                TOKEN);
    assertEquals(3, p.connections().orElseThrow().active);
    AuthHealth h = p.auth().orElseThrow();
    assertEquals(List.of("gw-0", "gw-1"), h.podsAnswered(), "the silent pod is not counted");
    assertEquals(List.of("gw-0"), h.radiusServers().get("r1:1812").downOn());
    assertEquals(List.of("gw-1"), h.radiusServers().get("r1:1812").upOn());
    assertEquals(List.of(), h.radiusServers().get("r2:1812").downOn());
    assertEquals(List.of("gw-1"), h.oidcIssuers().get("https://idp").upOn());
  }

  @Test
  void theManagementPortComesFromThePodSpec() {
    assertEquals(
        Optional.of(new InetSocketAddress("10.0.0.9", 19443)),
        ConnectionsProbe.managementAddress(pod("gw-0", "10.0.0.9", true, 19443)));
  }
}
