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
import java.util.Map;

/**
 * The gateway's CA: made once, then kept byte for byte. A kubernetes.io/tls Secret with {@code
 * ca.crt}, the shape cert-manager's CA issuer reads, so users can issue from it with cert-manager
 * too. Only the operator reads the key; gateway pods mount {@code ca.crt} alone.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.CA))
public class VpnGatewayCaSecretDependentResource extends GatewayDependentResource<Secret> {

  public VpnGatewayCaSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.caSecret(gateway);
  }

  @Override
  protected Secret desired(VpnGateway gateway, Context<VpnGateway> context) {
    GatewayCertificates.Material material = inputs(context).certificates();
    return new SecretBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.CA))
        .withType("kubernetes.io/tls")
        .withData(
            SecretData.encode(
                Map.of(
                    ConfigFiles.TLS_CERT_KEY, material.caCertificatePem(),
                    ConfigFiles.TLS_KEY_KEY, material.caKeyPem(),
                    ConfigFiles.CA_CERT_KEY, material.caCertificatePem())))
        .build();
  }
}
