package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;

/**
 * The config Secret: the rendered document plus the files it names that live nowhere else. The pods
 * mount it (with the CA, server and CRL Secrets) in one projected volume; the gateway reloads it on
 * change.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.CONFIG))
public class VpnGatewayConfigSecretDependentResource extends GatewayDependentResource<Secret> {

  public VpnGatewayConfigSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.configSecret(gateway);
  }

  @Override
  protected Secret desired(VpnGateway gateway, Context<VpnGateway> context) {
    return new SecretBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.CONFIG))
        .withType("Opaque")
        .withData(SecretData.encode(inputs(context).configFiles()))
        .build();
  }
}
