package io.vpngateway.operator.render;

import io.vpngateway.api.v1alpha1.VpnGateway;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subject alternative names of a gateway's server certificate: {@code
 * serverCertificate.dnsNames}, the Service's in-cluster DNS names, and the Service endpoint (as an
 * iPAddress SAN when it is an address, else a dNSName). Clients verify the name they dial against
 * these (OpenVPN {@code verify-x509-name}, IKEv2 remote identity, SSTP TLS host name).
 */
public record ServerNames(List<String> dnsNames, List<String> ipAddresses) {
  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");

  public ServerNames {
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
  }

  /**
   * @param service the gateway Service's name
   * @param endpoint the Service's external address or host name, or null while it has none
   */
  public static ServerNames of(
      VpnGateway gateway, String service, String endpoint, String clusterDomain) {
    Set<String> dns = new LinkedHashSet<>();
    Set<String> ips = new LinkedHashSet<>();
    if (gateway.getSpec().serverCertificate != null) {
      dns.addAll(gateway.getSpec().serverCertificate.dnsNames);
    }
    String namespace = gateway.getMetadata().getNamespace();
    dns.add(service + "." + namespace + ".svc");
    dns.add(service + "." + namespace + ".svc." + clusterDomain);
    if (endpoint != null && !endpoint.isBlank()) {
      if (isIpv4(endpoint) || endpoint.contains(":")) {
        ips.add(endpoint);
      } else {
        dns.add(endpoint);
      }
    }
    return new ServerNames(new ArrayList<>(dns), new ArrayList<>(ips));
  }

  public static boolean isIpv4(String text) {
    return IPV4.matcher(text).matches();
  }

  /**
   * Order-independent form ({@code DNS:name}, {@code IP:address}) to compare with a certificate's.
   */
  public Set<String> asSet() {
    Set<String> all = new java.util.TreeSet<>();
    dnsNames.forEach(n -> all.add("DNS:" + n));
    ipAddresses.forEach(a -> all.add("IP:" + a));
    return all;
  }
}
