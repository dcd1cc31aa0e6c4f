package io.vpngateway.operator.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The gateway pods' view of their authentication servers, merged over the pods that answered:
 * for each RADIUS server ({@code host:port}) and OIDC issuer (URL), which pods saw it answer its
 * last exchange and which did not. A server no pod has talked to yet is absent.
 */
public record AuthHealth(
    Map<String, Seen> radiusServers, Map<String, Seen> oidcIssuers, List<String> podsAnswered) {

  /** Pods (by name) whose last exchange with one server succeeded, and those where it failed. */
  public record Seen(List<String> upOn, List<String> downOn) {
    public Seen {
      upOn = List.copyOf(upOn);
      downOn = List.copyOf(downOn);
    }

    public boolean down() {
      return !downOn.isEmpty();
    }

    public boolean upSomewhere() {
      return !upOn.isEmpty();
    }
  }

  public AuthHealth {
    radiusServers = java.util.Collections.unmodifiableMap(new TreeMap<>(radiusServers));
    oidcIssuers = java.util.Collections.unmodifiableMap(new TreeMap<>(oidcIssuers));
    podsAnswered = List.copyOf(podsAnswered);
  }

  /** Merges the reports of the pods that answered, by pod name (sorted, for a stable message). */
  static AuthHealth of(Map<String, PodReport> reportsByPod) {
    Map<String, PodReport> byPod = new TreeMap<>(reportsByPod);
    return new AuthHealth(
        merge(byPod, PodReport::radiusServersUp),
        merge(byPod, PodReport::oidcIssuersUp),
        new ArrayList<>(byPod.keySet()));
  }

  private static Map<String, Seen> merge(
      Map<String, PodReport> byPod, Function<PodReport, Map<String, Boolean>> gauge) {
    Map<String, List<String>> up = new TreeMap<>();
    Map<String, List<String>> down = new TreeMap<>();
    byPod.forEach(
        (pod, report) ->
            gauge
                .apply(report)
                .forEach(
                    (server, isUp) ->
                        (isUp ? up : down).computeIfAbsent(server, k -> new ArrayList<>()).add(pod)));
    Map<String, Seen> seen = new TreeMap<>();
    for (String server : union(up.keySet(), down.keySet())) {
      seen.put(server, new Seen(up.getOrDefault(server, List.of()), down.getOrDefault(server, List.of())));
    }
    return seen;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
