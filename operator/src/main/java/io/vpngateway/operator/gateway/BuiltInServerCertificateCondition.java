package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.vpngateway.api.v1alpha1.VpnGateway;

/** The built-in CA issues the server certificate: {@code serverCertificate.secretName} is unset. */
public class BuiltInServerCertificateCondition implements Condition<Secret, VpnGateway> {
  @Override
  public boolean isMet(
      DependentResource<Secret, VpnGateway> dependentResource,
      VpnGateway gateway,
      Context<VpnGateway> context) {
    return GatewayPreparer.byoServerSecret(gateway).isEmpty();
  }
}
