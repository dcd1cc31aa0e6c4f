package io.vpngateway.api.config;

import io.vpngateway.api.policy.CryptoPolicy;
import io.vpngateway.api.policy.CryptoPresets;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewaySpec;
import io.vpngateway.api.v1alpha1.spec.AddressPool;
import io.vpngateway.api.v1alpha1.spec.Authentication;
import io.vpngateway.api.v1alpha1.spec.CertificateAuthentication;
import io.vpngateway.api.v1alpha1.spec.Dns;
import io.vpngateway.api.v1alpha1.spec.OidcAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusAuthentication;
import io.vpngateway.api.v1alpha1.spec.RadiusServer;
import io.vpngateway.api.v1alpha1.spec.Routing;
import io.vpngateway.api.v1alpha1.spec.Sku;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a VpnGateway into the gateway config document. Pure: the same CR and defaults give the
 * same document, so the operator's config Secret changes only when the spec does. Used by the
 * operator and by {@code vpngw serve -f}, never copied.
 */
public final class GatewayConfigRenderer {
  /** Ports inside the pod; the Service maps the public ones onto them. */
  public static final GatewayConfig.Listen DEFAULT_LISTEN =
      new GatewayConfig.Listen(1194, 443, 500, 4500, 443);

  public static final int MANAGEMENT_PORT = 9443;

  /** The kubelet's probes (plain HTTP, nothing but up/ready), apart from the TLS management API. */
  public static final int HEALTH_PORT = 9080;
  public static final int DEFAULT_MAX_CONNECTIONS = 250;

  private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private GatewayConfigRenderer() {}

  /** File name in the config Secret of the i-th trusted root certificate. */
  public static String trustedRootFile(int index) {
    return "trusted-root-" + index + ".crt";
  }

  /** File name in the config Secret of the OIDC client secret. */
  public static final String OIDC_CLIENT_SECRET_FILE = "oidc-client.secret";

  /** File name in the config Secret of the OIDC issuer's CA certificates. */
  public static final String OIDC_ISSUER_CA_FILE = "oidc-issuer-ca.crt";

  /** Scopes of web sign-in when the CR names none. */
  public static final List<String> DEFAULT_OIDC_SCOPES = List.of("openid", "profile", "email");

  /** File name in the config Secret of the i-th RADIUS server's shared secret. */
  public static String radiusSecretFile(int index) {
    return "radius-" + index + ".secret";
  }

  public static GatewayConfig render(VpnGateway gateway, RenderDefaults defaults) {
    VpnGatewaySpec spec = Objects.requireNonNull(gateway.getSpec(), "spec is missing");
    CryptoPolicy crypto = CryptoPresets.resolve(spec.policies);
    return new GatewayConfig(
        GatewayConfig.CURRENT_VERSION,
        new GatewayConfig.Metadata(
            gateway.getMetadata().getNamespace(), gateway.getMetadata().getName()),
        spec.protocols.stream().map(VpnProtocol::name).toList(),
        DEFAULT_LISTEN,
        replicas(spec),
        maxConnections(spec),
        spec.clientAddressPools.stream().map(GatewayConfigRenderer::pool).toList(),
        routing(spec.routing),
        dns(spec.dns, gateway.getMetadata().getNamespace(), defaults),
        new GatewayConfig.Tunnel(GatewayConfig.Tunnel.DEFAULT_MTU),
        authentication(spec.authentication),
        new GatewayConfig.Crypto(
            crypto.name(),
            crypto.ike(),
            crypto.esp(),
            crypto.tlsMinVersion(),
            crypto.tlsCipherSuites(),
            crypto.dataCiphers()),
        new GatewayConfig.OpenVpn(3600, 10, 60, 12 * 3600),
        GatewayConfig.Ikev2.defaults(),
        new GatewayConfig.Management(MANAGEMENT_PORT, HEALTH_PORT),
        GatewayConfig.Files.defaults());
  }

  /** Replicas: explicit, else from the sku, else 1. */
  public static int replicas(VpnGatewaySpec spec) {
    if (spec.replicas != null) {
      return spec.replicas;
    }
    return spec.sku == null ? 1 : spec.sku.replicas;
  }

  /** maxConnections: explicit, else from the sku, else 250 (Azure Basic). */
  public static int maxConnections(VpnGatewaySpec spec) {
    if (spec.maxConnections != null) {
      return spec.maxConnections;
    }
    Sku sku = spec.sku;
    return sku == null ? DEFAULT_MAX_CONNECTIONS : sku.maxConnections;
  }

  /** Parses a Go-style duration ({@code 5s}, {@code 1h30m}, {@code 250ms}) into milliseconds. */
  public static long durationMillis(String text) {
    Matcher m = DURATION.matcher(text);
    long total = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      long n = Long.parseLong(m.group(1));
      total +=
          switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
          };
      end = m.end();
    }
    if (end != text.length() || end == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration like 5s or 1h30m");
    }
    return total;
  }

  private static GatewayConfig.Pool pool(AddressPool p) {
    return new GatewayConfig.Pool(
        p.cidr, p.groups == null ? List.of() : p.groups, p.priority == null ? 0 : p.priority);
  }

  private static GatewayConfig.Routing routing(Routing r) {
    if (r == null) {
      return new GatewayConfig.Routing(List.of(), false, true, false);
    }
    return new GatewayConfig.Routing(
        r.routes == null ? List.of() : r.routes,
        Boolean.TRUE.equals(r.forceTunnel),
        !Boolean.FALSE.equals(r.nat),
        Boolean.TRUE.equals(r.clientToClient));
  }

  private static GatewayConfig.Dns dns(Dns dns, String namespace, RenderDefaults defaults) {
    List<String> servers = dns == null || dns.servers == null ? List.of() : dns.servers;
    List<String> search = dns == null || dns.searchDomains == null ? List.of() : dns.searchDomains;
    if (servers.isEmpty() && defaults.clusterDnsServer() != null) {
      servers = List.of(defaults.clusterDnsServer());
    }
    if (search.isEmpty() && defaults.clusterDomain() != null && namespace != null) {
      search = List.of(namespace + ".svc." + defaults.clusterDomain());
    }
    return new GatewayConfig.Dns(servers, search);
  }

  private static GatewayConfig.Authentication authentication(Authentication auth) {
    CertificateAuthentication cert = auth == null ? null : auth.certificate;
    boolean builtInCa = cert == null || !Boolean.FALSE.equals(cert.builtInCa);
    List<String> roots = new ArrayList<>();
    List<String> rootsWithGroups = new ArrayList<>();
    int rootCount = cert == null || cert.trustedRoots == null ? 0 : cert.trustedRoots.size();
    for (int i = 0; i < rootCount; i++) {
      roots.add(trustedRootFile(i));
      if (Boolean.TRUE.equals(cert.trustedRoots.get(i).trustGroups)) {
        rootsWithGroups.add(trustedRootFile(i));
      }
    }
    List<GatewayConfig.RevokedThumbprint> revoked =
        cert == null || cert.revokedThumbprints == null
            ? List.of()
            : cert.revokedThumbprints.stream()
                .map(
                    t ->
                        new GatewayConfig.RevokedThumbprint(
                            t.name, t.thumbprint.replace(":", "").toLowerCase()))
                .toList();
    GatewayConfig.Certificate certificate =
        builtInCa || !roots.isEmpty()
            ? new GatewayConfig.Certificate(builtInCa, roots, revoked, rootsWithGroups)
            : null;
    return new GatewayConfig.Authentication(
        certificate,
        auth == null ? null : radius(auth.radius),
        auth == null ? null : oidc(auth.oidc),
        auth != null && Boolean.TRUE.equals(auth.requireCertificateAndPassword));
  }

  private static GatewayConfig.Radius radius(RadiusAuthentication r) {
    if (r == null) {
      return null;
    }
    List<GatewayConfig.RadiusServer> servers = new ArrayList<>();
    for (int i = 0; i < r.servers.size(); i++) {
      RadiusServer s = r.servers.get(i);
      servers.add(
          new GatewayConfig.RadiusServer(
              s.address,
              s.port == null ? 1812 : s.port,
              radiusSecretFile(i),
              s.priority == null ? 0 : s.priority,
              s.accountingPort == null ? 0 : s.accountingPort,
              s.timeout == null ? 0 : durationMillis(s.timeout)));
    }
    String groups =
        r.groupVendorAttribute != null
            ? "Vendor:" + r.groupVendorAttribute.vendorId + ":" + r.groupVendorAttribute.type
            : r.groupAttribute == RadiusAuthentication.GroupAttribute.FilterId
                ? "Filter-Id"
                : "Class";
    return new GatewayConfig.Radius(
        servers,
        r.timeout == null ? 30_000 : durationMillis(r.timeout),
        r.retries == null ? 2 : r.retries,
        groups,
        r.passwordProtocol == RadiusAuthentication.PasswordProtocol.MSCHAPv2 ? "MSCHAPv2" : "PAP",
        Boolean.TRUE.equals(r.requireMessageAuthenticator),
        interimIntervalMillis(r.accountingInterimInterval));
  }

  private static long interimIntervalMillis(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    return durationMillis(text);
  }

  private static GatewayConfig.Oidc oidc(OidcAuthentication o) {
    if (o == null) {
      return null;
    }
    return new GatewayConfig.Oidc(
        o.issuerUrl,
        o.audience,
        o.clientId,
        o.groupsClaim == null ? "groups" : o.groupsClaim,
        o.allowedGroups == null ? List.of() : o.allowedGroups,
        o.clientSecretRef == null ? null : OIDC_CLIENT_SECRET_FILE,
        o.issuerCaRef == null ? null : OIDC_ISSUER_CA_FILE,
        o.scopes == null || o.scopes.isEmpty() ? DEFAULT_OIDC_SCOPES : o.scopes,
        o.redirectUrl,
        o.callbackPort == null ? GatewayConfig.Oidc.DEFAULT_CALLBACK_PORT : o.callbackPort,
        o.signInTimeout == null
            ? GatewayConfig.Oidc.DEFAULT_SIGN_IN_TIMEOUT_MILLIS
            : durationMillis(o.signInTimeout),
        o.clockSkew == null
            ? GatewayConfig.Oidc.DEFAULT_CLOCK_SKEW_MILLIS
            : durationMillis(o.clockSkew));
  }
}
