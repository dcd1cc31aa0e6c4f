package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.vpngateway.api.v1alpha1.spec.AddressPool;
import io.vpngateway.api.v1alpha1.spec.Authentication;
import io.vpngateway.api.v1alpha1.spec.Dns;
import io.vpngateway.api.v1alpha1.spec.GatewayTemplate;
import io.vpngateway.api.v1alpha1.spec.Policies;
import io.vpngateway.api.v1alpha1.spec.Routing;
import io.vpngateway.api.v1alpha1.spec.ServerCertificate;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.api.v1alpha1.spec.Sku;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.List;

/** Desired state of a point-to-site VPN gateway. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.authentication) || !has(self.authentication.oidc) || 'OpenVPN' in self.protocols",
    message = "authentication.oidc needs the OpenVPN protocol: IKEv2 and SSTP clients cannot present a token",
    fieldPath = ".authentication.oidc")
public class VpnGatewaySpec {
  @JsonPropertyDescription(
      "Capacity preset (Basic, VpnGw1..VpnGw5) for maxConnections (250/500/1000/5000/5000/10000),"
          + " replicas and resources. Explicit fields win.")
  public Sku sku;

  @Min(1)
  @Max(16)
  @JsonPropertyDescription(
      "Active-active gateway instances. Each gets a disjoint slice of every address pool. Default:"
          + " from the sku, else 1.")
  public Integer replicas;

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription(
      "Concurrent client connections per gateway (all replicas). Default: from the sku, else 250.")
  public Integer maxConnections;

  @Required
  @Size(min = 1, max = 3)
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q == p))",
      message = "protocols must not repeat")
  @JsonPropertyDescription(
      "Protocols to serve: any non-empty subset of OpenVPN, IKEv2, SSTP. OpenVPN over TCP and SSTP"
          + " share TCP 443 (the first bytes tell them apart).")
  public List<VpnProtocol> protocols = new ArrayList<>();

  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(a, self.exists_one(b, b.cidr == a.cidr))",
      message = "clientAddressPools must not repeat a cidr")
  @ValidationRule(
      value =
          "self.all(a, self.all(b, a.cidr == b.cidr"
              + " || (!cidr(a.cidr).containsIP(cidr(b.cidr).masked().ip())"
              + " && !cidr(b.cidr).containsIP(cidr(a.cidr).masked().ip()))))",
      message = "clientAddressPools must not overlap each other")
  @ValidationRule(
      value = "size(self.filter(p, !has(p.groups) || size(p.groups) == 0)) == 1",
      message = "exactly one clientAddressPool must have no groups: it is the default pool")
  @JsonPropertyDescription(
      "Address pools for clients. The pool without groups is the default; others serve the listed"
          + " groups. Pools must not overlap.")
  public List<AddressPool> clientAddressPools = new ArrayList<>();

  @JsonPropertyDescription("Routes pushed to clients, forced tunnelling, NAT, client-to-client.")
  public Routing routing;

  @JsonPropertyDescription("DNS servers and search domains pushed to clients.")
  public Dns dns;

  @ValidationRule(
      value =
          "has(self.radius) || has(self.oidc) || !has(self.certificate)"
              + " || !has(self.certificate.builtInCa) || self.certificate.builtInCa"
              + " || (has(self.certificate.trustedRoots) && size(self.certificate.trustedRoots) > 0)",
      message =
          "at least one authentication method is needed: the built-in CA, trustedRoots, radius or"
              + " oidc")
  @JsonPropertyDescription(
      "Client authentication: certificate (default, built-in CA), RADIUS, OIDC, in any"
          + " combination.")
  public Authentication authentication;

  @JsonPropertyDescription("IKE, IPsec and TLS crypto policy: a versioned preset or explicit lists.")
  public Policies policies;

  @JsonPropertyDescription("How the gateway is exposed (Service type, annotations, traffic policy).")
  public ServiceSpec service;

  @JsonPropertyDescription("The gateway's server certificate: extra DNS names or your own Secret.")
  public ServerCertificate serverCertificate;

  @JsonPropertyDescription("Gateway pod overrides: image, resources, scheduling.")
  public GatewayTemplate template;
}
