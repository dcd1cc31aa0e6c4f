package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;

/**
 * Lets a node drain take at most one replica at a time, so an active-active gateway keeps serving.
 * Made only when there is more than one replica ({@link MultipleReplicasCondition}): with one, a
 * budget would block every drain.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.GATEWAY))
public class VpnGatewayPodDisruptionBudgetDependentResource
    extends GatewayDependentResource<PodDisruptionBudget> {

  public VpnGatewayPodDisruptionBudgetDependentResource() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.workload(gateway);
  }

  @Override
  protected PodDisruptionBudget desired(VpnGateway gateway, Context<VpnGateway> context) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.GATEWAY))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Labels.selector(gateway.getMetadata().getName()))
        .endSelector()
        .endSpec()
        .build();
  }
}
