package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import io.vpngateway.api.v1alpha1.spec.AddressPool;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.List;

/** VpnGateways for tests. */
public final class TestGateways {
  public static final String NAMESPACE = "test";

  private TestGateways() {}

  /** OpenVPN, certificate authentication, one /24 pool, the given replicas. */
  public static VpnGateway openVpn(String name, int replicas) {
    VpnGatewaySpec spec = new VpnGatewaySpec();
    spec.protocols = new ArrayList<>(List.of(VpnProtocol.OpenVPN));
    spec.clientAddressPools =
        new ArrayList<>(List.of(new AddressPool("10.8.0.0/24", List.of(), 0)));
    spec.replicas = replicas;
    VpnGateway gateway = new VpnGateway();
    gateway.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    gateway.setSpec(spec);
    return gateway;
  }
}
