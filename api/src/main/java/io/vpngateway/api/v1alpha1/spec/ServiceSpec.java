package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the gateway is exposed. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ServiceSpec {
  /** Kubernetes Service types the gateway can be exposed with. */
  public enum Type {
    LoadBalancer,
    NodePort,
    ClusterIP
  }

  /** Service externalTrafficPolicy. */
  public enum TrafficPolicy {
    Cluster,
    Local
  }

  @Default("LoadBalancer")
  @JsonPropertyDescription("Service type: LoadBalancer (default), NodePort or ClusterIP.")
  public Type type;

  @JsonPropertyDescription("Annotations for the Service, e.g. for a cloud load balancer.")
  public Map<String, String> annotations = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Cluster or Local. Local keeps client source addresses (needed for per-source handshake"
          + " limits) at the cost of uneven spreading.")
  public TrafficPolicy externalTrafficPolicy;
}
