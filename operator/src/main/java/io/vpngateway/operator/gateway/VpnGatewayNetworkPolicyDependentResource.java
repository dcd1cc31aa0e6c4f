package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.render.GatewayPorts;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import java.util.List;
import java.util.Map;

/**
 * Closes the gateway pods' management port to everyone but the operator. Once a NetworkPolicy
 * selects a pod, ingress it does not allow is dropped (where the CNI enforces policies), so this
 * one lists every port the pods serve:
 *
 * <ul>
 *   <li>the client ports (OpenVPN, IKEv2, SSTP), from anywhere: VPN clients come from everywhere;
 *   <li>the health port (plain HTTP, {@code /healthz} and {@code /readyz} only), from anywhere: the
 *       kubelet probes from the node, whose address no policy can name portably;
 *   <li>the management port (TLS, bearer token), only from the operator's pods: its namespace (by
 *       the {@code kubernetes.io/metadata.name} label every namespace carries) and its pod labels.
 * </ul>
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.GATEWAY))
public class VpnGatewayNetworkPolicyDependentResource
    extends GatewayDependentResource<NetworkPolicy> {

  /** The label the API server puts on every namespace (Kubernetes 1.21+). */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  public VpnGatewayNetworkPolicyDependentResource() {
    super(NetworkPolicy.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.workload(gateway);
  }

  @Override
  protected NetworkPolicy desired(VpnGateway gateway, Context<VpnGateway> context) {
    GatewayInputs inputs = inputs(context);
    GatewayConfig config = inputs.config();
    return new NetworkPolicyBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.GATEWAY))
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(Labels.selector(gateway.getMetadata().getName()))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .withIngress(
            fromAnywhere(GatewayPorts.clientPorts(config)),
            fromAnywhere(List.of(GatewayPorts.health(config))),
            fromOperator(GatewayPorts.management(config), inputs.operatorPods()))
        .endSpec()
        .build();
  }

  private static NetworkPolicyIngressRule fromAnywhere(List<GatewayPorts.Port> ports) {
    return new NetworkPolicyIngressRuleBuilder()
        .withPorts(ports.stream().map(VpnGatewayNetworkPolicyDependentResource::port).toList())
        .build();
  }

  private static NetworkPolicyIngressRule fromOperator(
      GatewayPorts.Port management, GatewayInputs.OperatorPods operator) {
    // an empty namespace selector selects every namespace; a named one only the operator's
    LabelSelector namespaces =
        operator
            .namespace()
            .map(ns -> new LabelSelectorBuilder().withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, ns)))
            .orElseGet(LabelSelectorBuilder::new)
            .build();
    return new NetworkPolicyIngressRuleBuilder()
        .withFrom(
            new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(namespaces)
                .withNewPodSelector()
                .withMatchLabels(operator.labels())
                .endPodSelector()
                .build())
        .withPorts(port(management))
        .build();
  }

  private static NetworkPolicyPort port(GatewayPorts.Port port) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(port.protocol())
        .withPort(new IntOrString(port.port()))
        .build();
  }
}
