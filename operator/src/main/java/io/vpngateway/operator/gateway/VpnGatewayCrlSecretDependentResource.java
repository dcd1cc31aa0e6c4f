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
 * The CRL Secret: the signed CRL, re-signed before its nextUpdate, and the tls-crypt-v2 server key
 * (made once) that wraps every OpenVPN client's key. The ClientCertificate reconciler adds entries
 * to it when a certificate is revoked or deleted; this dependent keeps whatever CRL is current and
 * usable, so it never undoes a revocation.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.CRL))
public class VpnGatewayCrlSecretDependentResource extends GatewayDependentResource<Secret> {

  public VpnGatewayCrlSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.crlSecret(gateway);
  }

  @Override
  protected Secret desired(VpnGateway gateway, Context<VpnGateway> context) {
    GatewayCertificates.Material material = inputs(context).certificates();
    return new SecretBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.CRL))
        .withType("Opaque")
        .withData(
            SecretData.encode(
                Map.of(
                    ConfigFiles.CRL_KEY, material.crlPem(),
                    ConfigFiles.TLS_CRYPT_V2_SERVER_KEY, material.tlsCryptV2ServerKeyPem())))
        .build();
  }
}
