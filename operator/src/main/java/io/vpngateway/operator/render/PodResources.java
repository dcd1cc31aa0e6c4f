package io.vpngateway.operator.render;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import io.vpngateway.api.v1alpha1.spec.Sku;

/** Gateway container resources: {@code template.resources}, else the sku's, else Basic's. */
public final class PodResources {
  private PodResources() {}

  public static ResourceRequirements of(VpnGatewaySpec spec) {
    if (spec.template != null && spec.template.resources != null) {
      return spec.template.resources;
    }
    Sku sku = spec.sku == null ? Sku.Basic : spec.sku;
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(sku.cpuRequest))
        .addToRequests("memory", new Quantity(sku.memoryRequest))
        .addToLimits("cpu", new Quantity(sku.cpuLimit))
        .addToLimits("memory", new Quantity(sku.memoryLimit))
        .build();
  }
}
