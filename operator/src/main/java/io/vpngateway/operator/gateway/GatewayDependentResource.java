package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.ContextKeys;
import io.vpngateway.operator.support.Labels;

/**
 * An object a VpnGateway owns. Subclasses override only {@code desired()} and name the object; the
 * owner reference (set by the SDK) makes Kubernetes delete it with the gateway.
 */
abstract class GatewayDependentResource<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, VpnGateway> {

  GatewayDependentResource(Class<R> type) {
    super(type);
  }

  /** The owned object's name. */
  protected abstract String name(VpnGateway gateway);

  /** Finds the actual object by name, without computing {@code desired()} first. */
  @Override
  protected ResourceID targetSecondaryResourceID(VpnGateway gateway, Context<VpnGateway> context) {
    return new ResourceID(name(gateway), gateway.getMetadata().getNamespace());
  }

  static GatewayInputs inputs(Context<VpnGateway> context) {
    return ContextKeys.get(context, GatewayInputs.KEY);
  }

  static ObjectMeta metadata(VpnGateway gateway, String name, String component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(gateway.getMetadata().getNamespace())
        .withLabels(Labels.of(gateway.getMetadata().getName(), component))
        .build();
  }
}
