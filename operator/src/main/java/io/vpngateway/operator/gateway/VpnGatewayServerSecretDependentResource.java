package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.util.Map;

/**
 * The server certificate the built-in CA issues (SANs: {@code serverCertificate.dnsNames}, the
 * Service names and endpoint), renewed before expiry or when the names change. Absent when the user
 * brings their own ({@link BuiltInServerCertificateCondition}).
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR
                    + ","
                    + Labels.COMPONENT
                    + "="
                    + GatewayComponents.SERVER_TLS))
public class VpnGatewayServerSecretDependentResource extends GatewayDependentResource<Secret> {

  public VpnGatewayServerSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.serverSecret(gateway);
  }

  @Override
  protected Secret desired(VpnGateway gateway, Context<VpnGateway> context) {
    GatewayCertificates.Material material = inputs(context).certificates();
    ServerCertificates.ServerTls server =
        material
            .server()
            .orElseThrow(() -> new IllegalStateException("no built-in server certificate"));
    return new SecretBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.SERVER_TLS))
        .withType("kubernetes.io/tls")
        .withData(
            SecretData.encode(
                Map.of(
                    ConfigFiles.TLS_CERT_KEY, server.certificatePem(),
                    ConfigFiles.TLS_KEY_KEY, server.keyPem(),
                    ConfigFiles.CA_CERT_KEY, material.caCertificatePem())))
        .build();
  }
}
