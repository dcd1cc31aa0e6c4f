package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Overrides for the gateway pods. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class GatewayTemplate {
  @JsonPropertyDescription("Gateway image. Default: the operator's configured gateway image.")
  public String image;

  @JsonPropertyDescription("Resources of the gateway container. Default: from the sku.")
  public ResourceRequirements resources;

  @JsonPropertyDescription("Node selector for the gateway pods.")
  public Map<String, String> nodeSelector = new LinkedHashMap<>();

  @JsonPropertyDescription("Tolerations for the gateway pods.")
  public List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription("Affinity for the gateway pods.")
  public Affinity affinity;
}
