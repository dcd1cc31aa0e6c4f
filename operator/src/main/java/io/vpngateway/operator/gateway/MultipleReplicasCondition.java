package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.v1alpha1.VpnGateway;

/** The gateway runs more than one replica (explicitly or through its sku). */
public class MultipleReplicasCondition implements Condition<PodDisruptionBudget, VpnGateway> {
  @Override
  public boolean isMet(
      DependentResource<PodDisruptionBudget, VpnGateway> dependentResource,
      VpnGateway gateway,
      Context<VpnGateway> context) {
    return GatewayConfigRenderer.replicas(gateway.getSpec()) > 1;
  }
}
