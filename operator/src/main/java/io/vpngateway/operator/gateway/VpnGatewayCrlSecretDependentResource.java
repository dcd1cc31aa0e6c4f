package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevocationList;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import io.vpngateway.operator.support.SecretData;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CRL Secret: the signed CRL, re-signed before its nextUpdate, and the tls-crypt-v2 server key
 * (made once) that wraps every OpenVPN client's key. The ClientCertificate reconciler adds entries
 * to it when a certificate is revoked or deleted; this dependent keeps whatever CRL is current and
 * usable, and writes a re-signed CRL only through {@link CrlSecretUpdates}, merged with the CRL the
 * Secret holds at that moment, so it never undoes a revocation made after its informer cache was
 * read.
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

  /**
   * Instead of writing {@code desired} over the Secret (it was computed from the informer cache,
   * which may miss a revocation written since), re-reads the Secret and writes {@code desired}
   * merged with it, conditionally on its resourceVersion.
   */
  @Override
  public Secret update(
      Secret actual, Secret desired, VpnGateway gateway, Context<VpnGateway> context) {
    GatewayCertificates.Material material = inputs(context).certificates();
    CertificateAuthority ca =
        CertificateAuthority.fromPem(material.caCertificatePem(), material.caKeyPem());
    Instant now = Instant.now();
    return CrlSecretUpdates.update(
        context.getClient(),
        gateway.getMetadata().getNamespace(),
        name(gateway),
        current -> merged(current, desired, ca, now));
  }

  /**
   * {@code current} changed to {@code desired}, keeping every CRL entry and the tls-crypt-v2 server
   * key (made once) {@code current} has; null when that changes nothing.
   */
  static Secret merged(Secret current, Secret desired, CertificateAuthority ca, Instant now) {
    X509CRL wanted = Pem.decodeCrl(SecretData.get(desired, ConfigFiles.CRL_KEY).orElseThrow());
    Optional<X509CRL> there =
        SecretData.get(current, ConfigFiles.CRL_KEY).flatMap(RevocationList::decode);
    X509CRL crl = RevocationList.merge(ca, wanted, there, now);
    Map<String, String> data = new LinkedHashMap<>();
    if (current.getData() != null) {
      data.putAll(current.getData());
    }
    data.putAll(desired.getData());
    if (crl != wanted) {
      data.put(ConfigFiles.CRL_KEY, SecretData.encodeValue(Pem.encode(crl)));
    }
    if (current.getData() != null
        && current.getData().containsKey(ConfigFiles.TLS_CRYPT_V2_SERVER_KEY)) {
      data.put(
          ConfigFiles.TLS_CRYPT_V2_SERVER_KEY,
          current.getData().get(ConfigFiles.TLS_CRYPT_V2_SERVER_KEY));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (current.getMetadata().getLabels() != null) {
      labels.putAll(current.getMetadata().getLabels());
    }
    labels.putAll(desired.getMetadata().getLabels());
    if (data.equals(current.getData()) && labels.equals(current.getMetadata().getLabels())) {
      return null;
    }
    current.setData(data);
    current.getMetadata().setLabels(labels);
    return current;
  }
}
