package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Reference to a VpnGateway in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRef {
  @Required
  @JsonPropertyDescription("Name of the VpnGateway.")
  public String name;

  public GatewayRef() {}

  public GatewayRef(String name) {
    this.name = name;
  }
}
