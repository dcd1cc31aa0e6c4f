package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.operator.render.GatewayPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Counts a gateway's live connections for {@code status.connections}: asks every ready pod's
 * management API at once and sums what answered. The management API has no watch, so this is the
 * one value the operator polls (see {@link VpnGatewayReconciler}).
 *
 * <p>The same request gives the pods' view of their RADIUS servers and OIDC issuer ({@link
 * AuthHealth}) for the status conditions built by {@link AuthBackendConditions}.
 *
 * <p>Never invents: when no pod answered, the result is empty and the status field stays absent. A
 * pod that is slow or down costs the reconcile thread at most {@code deadline} in total, however
 * many replicas there are, because the requests run concurrently and the wait is bounded once.
 */
public final class ConnectionsProbe {
  private static final Logger LOG = Logger.getLogger(ConnectionsProbe.class);

  private final ManagementApi api;
  private final Duration deadline;

  /**
   * @param deadline the longest the reconcile thread waits for all pods together
   */
  public ConnectionsProbe(ManagementApi api, Duration deadline) {
    this.api = api;
    this.deadline = deadline;
  }

  /**
   * The summed connections of {@code pods} (the gateway's pods, ready or not), or empty when none
   * is ready or none answered.
   *
   * @param access the management token from the gateway's config Secret (never logged) and its
   *     CA; empty when either is not there yet
   */
  public Optional<VpnGatewayStatus.Connections> probe(
      Collection<Pod> pods, Optional<ManagementApi.Access> access) {
    return probeGateway(pods, access).connections();
  }

  /**
   * What one round of questions to the pods found: the summed connections and the pods' view of
   * their authentication servers; both empty when no pod answered.
   */
  public record Probe(
      Optional<VpnGatewayStatus.Connections> connections, Optional<AuthHealth> auth) {
    static final Probe NOTHING = new Probe(Optional.empty(), Optional.empty());
  }

  /** As {@link #probe}, with the authentication servers' health from the same requests. */
  public Probe probeGateway(Collection<Pod> pods, Optional<ManagementApi.Access> access) {
    if (access.isEmpty() || access.get().token().isBlank()) {
      return Probe.NOTHING;
    }
    List<Asked> asked = new ArrayList<>();
    for (Pod pod : pods) {
      managementAddress(pod)
          .ifPresent(
              address ->
                  asked.add(
                      new Asked(pod.getMetadata().getName(), api.report(address, access.get()))));
    }
    if (asked.isEmpty()) {
      return Probe.NOTHING;
    }
    awaitAll(asked);
    Map<String, PodReport> answered = new TreeMap<>();
    for (Asked a : asked) {
      if (!a.answer().isDone() || a.answer().isCompletedExceptionally()) {
        a.answer().cancel(true);
        LOG.debugf("pod %s: management API gave no metrics in time", a.pod());
        continue;
      }
      answered.put(a.pod(), a.answer().join());
    }
    if (answered.isEmpty()) {
      return Probe.NOTHING;
    }
    return new Probe(Optional.of(sum(answered.values())), Optional.of(AuthHealth.of(answered)));
  }

  /** The pod's management endpoint, when the pod is Ready, not terminating and has an IP. */
  static Optional<InetSocketAddress> managementAddress(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus() == null
        || pod.getStatus().getPodIP() == null
        || pod.getStatus().getPodIP().isBlank()
        || !ready(pod)) {
      return Optional.empty();
    }
    return Optional.of(new InetSocketAddress(pod.getStatus().getPodIP(), managementPort(pod)));
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The container port named {@code management} (what the pod really runs), else the default. */
  private static int managementPort(Pod pod) {
    if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          if (GatewayPorts.MANAGEMENT.equals(p.getName()) && p.getContainerPort() != null) {
            return p.getContainerPort();
          }
        }
      }
    }
    return GatewayConfigRenderer.MANAGEMENT_PORT;
  }

  private void awaitAll(List<Asked> asked) {
    CompletableFuture<?>[] all =
        asked.stream().map(Asked::answer).toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(all).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // some pods were slow or failed: count those that answered, drop the rest below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static VpnGatewayStatus.Connections sum(Collection<PodReport> answered) {
    Map<String, Integer> byProtocol = new TreeMap<>();
    for (PodReport r : answered) {
      r.sessionsByProtocol().forEach((protocol, n) -> byProtocol.merge(protocol, n, Integer::sum));
    }
    VpnGatewayStatus.Connections connections = new VpnGatewayStatus.Connections();
    connections.active = byProtocol.values().stream().mapToInt(Integer::intValue).sum();
    // protocols with no client are left out: the map says who is connected, not what is enabled
    byProtocol.forEach(
        (protocol, n) -> {
          if (n > 0) {
            connections.byProtocol.put(protocol, n);
          }
        });
    return connections;
  }

  private record Asked(String pod, CompletableFuture<PodReport> answer) {}
}
