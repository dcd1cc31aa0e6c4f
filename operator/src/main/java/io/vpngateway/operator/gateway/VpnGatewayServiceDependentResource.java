package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.operator.render.GatewayPorts;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * How clients reach the gateway: a LoadBalancer by default, with the client ports of the enabled
 * protocols. Session affinity by client IP keeps a client's UDP packets (OpenVPN, IKE and
 * ESP-in-UDP) on the replica that holds its session.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.GATEWAY))
public class VpnGatewayServiceDependentResource extends GatewayDependentResource<Service> {

  public VpnGatewayServiceDependentResource() {
    super(Service.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.workload(gateway);
  }

  @Override
  protected Service desired(VpnGateway gateway, Context<VpnGateway> context) {
    ServiceSpec spec = gateway.getSpec().service;
    ServiceSpec.Type type =
        spec == null || spec.type == null ? ServiceSpec.Type.LoadBalancer : spec.type;
    var metadata = metadata(gateway, name(gateway), GatewayComponents.GATEWAY);
    if (spec != null && !spec.annotations.isEmpty()) {
      metadata.setAnnotations(spec.annotations);
    }
    String trafficPolicy =
        type == ServiceSpec.Type.ClusterIP || spec == null || spec.externalTrafficPolicy == null
            ? null
            : spec.externalTrafficPolicy.name();
    return new ServiceBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withType(type.name())
        .withSelector(Labels.selector(gateway.getMetadata().getName()))
        .withPorts(ports(inputs(context)))
        .withSessionAffinity("ClientIP")
        .withExternalTrafficPolicy(trafficPolicy)
        .endSpec()
        .build();
  }

  private static List<ServicePort> ports(GatewayInputs inputs) {
    List<ServicePort> ports =
        new ArrayList<>(
            GatewayPorts.clientPorts(inputs.config()).stream()
                .map(
                    p ->
                        new ServicePortBuilder()
                            .withName(p.name())
                            .withProtocol(p.protocol())
                            .withPort(p.port())
                            .withTargetPort(new IntOrString(p.name()))
                            .build())
                .toList());
    // by number: the sign-in port is no container port, so enabling it never rolls the pods
    GatewayPorts.signIn(inputs.config())
        .ifPresent(
            p ->
                ports.add(
                    new ServicePortBuilder()
                        .withName(p.name())
                        .withProtocol(p.protocol())
                        .withPort(p.port())
                        .withTargetPort(new IntOrString(p.port()))
                        .build()));
    return ports;
  }
}
