package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** DNS settings pushed to clients. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Dns {
  @Size(max = 3)
  @JsonPropertyDescription(
      "DNS servers pushed to clients. Default: the cluster DNS service the operator is configured"
          + " with.")
  public List<String> servers = new ArrayList<>();

  @Size(max = 6)
  @JsonPropertyDescription(
      "Search domains pushed to clients. Default: <namespace>.svc.<cluster domain>.")
  public List<String> searchDomains = new ArrayList<>();
}
