package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Optional;

/** The address clients dial, read from the gateway Service. */
public final class ServiceEndpoint {
  private ServiceEndpoint() {}

  /**
   * A LoadBalancer's first ingress (IP, else host name); a ClusterIP Service's cluster IP; the
   * first external IP of any Service that lists some. Empty while a load balancer is being
   * provisioned, and for a NodePort Service (clients dial any node).
   */
  public static Optional<String> of(Optional<Service> service) {
    if (service.isEmpty() || service.get().getSpec() == null) {
      return Optional.empty();
    }
    Service svc = service.get();
    List<String> externalIps = svc.getSpec().getExternalIPs();
    if (externalIps != null && !externalIps.isEmpty()) {
      return Optional.of(externalIps.get(0));
    }
    String type = svc.getSpec().getType();
    if ("LoadBalancer".equals(type)) {
      if (svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null) {
        return Optional.empty();
      }
      List<LoadBalancerIngress> ingress = svc.getStatus().getLoadBalancer().getIngress();
      if (ingress == null || ingress.isEmpty()) {
        return Optional.empty();
      }
      LoadBalancerIngress first = ingress.get(0);
      return Optional.ofNullable(first.getIp() != null ? first.getIp() : first.getHostname());
    }
    if ("ClusterIP".equals(type)) {
      String ip = svc.getSpec().getClusterIP();
      return ip == null || ip.isBlank() || "None".equals(ip) ? Optional.empty() : Optional.of(ip);
    }
    return Optional.empty();
  }
}
