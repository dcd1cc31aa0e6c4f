package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.spec.SecretTemplate;
import io.vpngateway.operator.support.ContextKeys;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.SecretData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's Secret ({@code spec.secretName}): {@code tls.crt}, {@code tls.key}, {@code ca.crt},
 * {@code keystore.p12} with its password, and a profile per protocol the gateway offers. Labels and
 * annotations come from {@code secretTemplate}; the operator's own labels win on conflict because
 * its informer selects on them.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR
                    + ","
                    + Labels.COMPONENT
                    + "="
                    + ClientCertificateSecretDependentResource.COMPONENT))
public class ClientCertificateSecretDependentResource
    extends CRUDKubernetesDependentResource<Secret, ClientCertificate> {
  public static final String COMPONENT = "client-certificate";

  public ClientCertificateSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected ResourceID targetSecondaryResourceID(
      ClientCertificate certificate, Context<ClientCertificate> context) {
    return new ResourceID(
        certificate.getSpec().secretName, certificate.getMetadata().getNamespace());
  }

  @Override
  protected Secret desired(ClientCertificate certificate, Context<ClientCertificate> context) {
    Issuance.Issued issued = ContextKeys.get(context, Issuance.KEY);
    SecretTemplate template = certificate.getSpec().secretTemplate;
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (template != null) {
      labels.putAll(template.labels);
      annotations.putAll(template.annotations);
    }
    labels.putAll(Labels.of(certificate.getSpec().gatewayRef.name, COMPONENT));
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(certificate.getSpec().secretName)
                .withNamespace(certificate.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .build())
        .withType("kubernetes.io/tls")
        .withData(SecretData.encodeBytes(issued.secretData()))
        .build();
  }
}
