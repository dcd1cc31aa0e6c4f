package io.vpngateway.operator.render;

import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.VpnGateway;
import java.util.ArrayList;
import java.util.List;

/**
 * The subject alternative names of a gateway's server certificate in a cluster: {@code
 * serverCertificate.dnsNames}, the Service's in-cluster DNS names, and the Service endpoint (an
 * iPAddress SAN when it is an address, else a dNSName).
 */
public final class GatewayServerNames {
  private GatewayServerNames() {}

  /**
   * @param service the gateway Service's name
   * @param endpoint the Service's external address or host name, or null while it has none
   */
  public static ServerNames of(
      VpnGateway gateway, String service, String endpoint, String clusterDomain) {
    List<String> names = new ArrayList<>();
    if (gateway.getSpec().serverCertificate != null) {
      names.addAll(gateway.getSpec().serverCertificate.dnsNames);
    }
    String namespace = gateway.getMetadata().getNamespace();
    names.add(service + "." + namespace + ".svc");
    names.add(service + "." + namespace + ".svc." + clusterDomain);
    if (endpoint != null && !endpoint.isBlank()) {
      names.add(endpoint);
    }
    return ServerNames.of(names);
  }
}
