package io.vpngateway.api.config;

import io.vpngateway.api.pool.Addresses;
import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Semantic checks the CRD schema cannot express (or that older API servers without the CEL
 * {@code cidr} library skip), run by the operator before it touches anything (→ {@code
 * InvalidSpec}) and by the gateway at every load (→ the last good config keeps running). Each
 * error names the field in VpnGateway spec terms.
 */
public final class GatewayConfigValidator {
  static final Set<String> DATA_CIPHERS = Set.of("AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305");

  /** Smallest pool slice worth having: gateway address plus a few clients. */
  static final int MIN_SLICE_ADDRESSES = 8;

  private GatewayConfigValidator() {}

  public static List<ConfigError> validate(GatewayConfig c) {
    List<ConfigError> errors = new ArrayList<>();
    if (c.version() != GatewayConfig.CURRENT_VERSION) {
      errors.add(
          new ConfigError(
              "version",
              "document version " + c.version() + " is not supported (expected "
                  + GatewayConfig.CURRENT_VERSION + ")"));
    }
    checkProtocols(c, errors);
    if (c.replicas() < 1) {
      errors.add(new ConfigError("replicas", "must be at least 1"));
    }
    if (c.maxConnections() < 1) {
      errors.add(new ConfigError("maxConnections", "must be at least 1"));
    }
    checkPools(c, errors);
    checkRouting(c, errors);
    checkDns(c, errors);
    checkAuthentication(c, errors);
    checkCrypto(c, errors);
    checkRequired(c, errors);
    return errors;
  }

  /** Throws with every problem listed, or returns the config unchanged. */
  public static GatewayConfig requireValid(GatewayConfig c) throws InvalidConfigException {
    List<ConfigError> errors = validate(c);
    if (!errors.isEmpty()) {
      throw new InvalidConfigException(errors);
    }
    return c;
  }

  private static void checkProtocols(GatewayConfig c, List<ConfigError> errors) {
    if (c.protocols().isEmpty()) {
      errors.add(new ConfigError("protocols", "at least one protocol is needed"));
    }
    Set<String> seen = new HashSet<>();
    for (String p : c.protocols()) {
      if (VpnProtocol.fromCrName(p).isEmpty()) {
        errors.add(new ConfigError("protocols", "unknown protocol '" + p + "'"));
      } else if (!seen.add(p)) {
        errors.add(new ConfigError("protocols", "'" + p + "' is listed twice"));
      }
    }
  }

  private static void checkPools(GatewayConfig c, List<ConfigError> errors) {
    if (c.pools().isEmpty()) {
      errors.add(new ConfigError("clientAddressPools", "at least one pool is needed"));
      return;
    }
    List<Ipv4Cidr> parsed = new ArrayList<>();
    int slices = Math.max(1, c.replicas()) * Math.max(1, c.protocols().size());
    for (int i = 0; i < c.pools().size(); i++) {
      GatewayConfig.Pool pool = c.pools().get(i);
      String field = "clientAddressPools[" + i + "].cidr";
      Ipv4Cidr cidr;
      try {
        cidr = Ipv4Cidr.parse(pool.cidr());
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError(field, e.getMessage()));
        parsed.add(null);
        continue;
      }
      if (cidr.size() / slices < MIN_SLICE_ADDRESSES) {
        errors.add(
            new ConfigError(
                field,
                pool.cidr() + " is too small to split across " + c.replicas() + " replica(s) x "
                    + c.protocols().size() + " protocol(s); each slice needs at least "
                    + MIN_SLICE_ADDRESSES + " addresses"));
      }
      for (int j = 0; j < parsed.size(); j++) {
        Ipv4Cidr other = parsed.get(j);
        if (other != null && other.overlaps(cidr)) {
          errors.add(
              new ConfigError(
                  field,
                  pool.cidr() + " overlaps clientAddressPools[" + j + "].cidr " + other));
        }
      }
      parsed.add(cidr);
    }
    long defaults = c.pools().stream().filter(p -> p.groups().isEmpty()).count();
    if (defaults != 1) {
      errors.add(
          new ConfigError(
              "clientAddressPools",
              "exactly one pool must have no groups (it is the default pool); found " + defaults));
    }
  }

  private static void checkRouting(GatewayConfig c, List<ConfigError> errors) {
    List<String> routes = c.routing() == null ? List.of() : c.routing().routes();
    for (int i = 0; i < routes.size(); i++) {
      try {
        Ipv4Cidr.parse(routes.get(i));
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError("routing.routes[" + i + "]", e.getMessage()));
      }
    }
  }

  private static void checkDns(GatewayConfig c, List<ConfigError> errors) {
    List<String> servers = c.dns() == null ? List.of() : c.dns().servers();
    for (int i = 0; i < servers.size(); i++) {
      try {
        Addresses.parse(servers.get(i));
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError("dns.servers[" + i + "]", e.getMessage()));
      }
    }
  }

  private static void checkAuthentication(GatewayConfig c, List<ConfigError> errors) {
    GatewayConfig.Authentication a = c.authentication();
    if (a == null || (a.certificate() == null && a.radius() == null && a.oidc() == null)) {
      errors.add(
          new ConfigError(
              "authentication",
              "at least one method is needed: the built-in CA, trustedRoots, radius or oidc"));
      return;
    }
    if (a.certificate() != null && a.certificate().trustedRoots().size() > 20) {
      errors.add(
          new ConfigError("authentication.certificate.trustedRoots", "at most 20 are allowed"));
    }
    if (a.certificate() != null
        && !a.certificate().trustedRoots().containsAll(a.certificate().trustedRootsWithGroups())) {
      errors.add(
          new ConfigError(
              "authentication.certificate.trustedRootsWithGroups",
              "names a file that is not one of trustedRoots"));
    }
    if (a.certificate() != null) {
      List<GatewayConfig.RevokedThumbprint> revoked = a.certificate().revokedThumbprints();
      for (int i = 0; i < revoked.size(); i++) {
        String t = revoked.get(i).thumbprint();
        if (t == null || !t.matches("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")) {
          errors.add(
              new ConfigError(
                  "authentication.certificate.revokedThumbprints[" + i + "].thumbprint",
                  "must be 40 (SHA-1) or 64 (SHA-256) hex digits"));
        }
      }
    }
    if (a.radius() != null) {
      if (a.radius().servers().isEmpty()) {
        errors.add(new ConfigError("authentication.radius.servers", "at least one is needed"));
      }
      for (int i = 0; i < a.radius().servers().size(); i++) {
        GatewayConfig.RadiusServer s = a.radius().servers().get(i);
        String field = "authentication.radius.servers[" + i + "]";
        if (s.address() == null || s.address().isBlank()) {
          errors.add(new ConfigError(field + ".address", "is required"));
        }
        if (s.port() < 1 || s.port() > 65535) {
          errors.add(new ConfigError(field + ".port", "must be 1..65535"));
        }
      }
      if (a.radius().timeoutMillis() <= 0) {
        errors.add(new ConfigError("authentication.radius.timeout", "must be positive"));
      }
      long interim = a.radius().accountingInterimIntervalMillis();
      if (interim != 0 && interim < GatewayConfig.Radius.MIN_INTERIM_INTERVAL_MILLIS) {
        errors.add(new ConfigError("authentication.radius.accountingInterimInterval",
            "must be at least 5s (or unset)"));
      }
      String groups = a.radius().groupAttribute();
      if (groups != null
          && !groups.matches("Class|Filter-Id|Vendor:[1-9][0-9]{0,9}:([1-9][0-9]?|1[0-9]{2}|2[0-4][0-9]|25[0-5])")) {
        errors.add(new ConfigError("authentication.radius.groupAttribute",
            "must be Class, Filter-Id or Vendor:<id>:<type 1-255>"));
      }
      if (!a.radius().passwordProtocol().matches("PAP|MSCHAPv2")) {
        errors.add(new ConfigError("authentication.radius.passwordProtocol",
            "must be PAP or MSCHAPv2"));
      }
    }
    if (a.requireCertificateAndPassword()
        && (a.certificate() == null || (a.radius() == null && a.oidc() == null))) {
      errors.add(new ConfigError("authentication.requireCertificateAndPassword",
          "needs certificate authentication and a password method (radius or oidc)"));
    }
    if (a.requireCertificateAndPassword() && c.enables(VpnProtocol.IKEv2)) {
      // an IKEv2 client proves itself with a certificate or with EAP in IKE_AUTH; both at once
      // needs multiple authentication (RFC 4739), which the gateway does not implement, so IKEv2
      // would refuse every client
      errors.add(new ConfigError("authentication.requireCertificateAndPassword",
          "cannot be combined with IKEv2: an IKEv2 client authenticates with a certificate or"
              + " with EAP, not both (RFC 4739 multiple authentication is not supported), so"
              + " IKEv2 would admit nobody; remove IKEv2 from protocols or turn this off"));
    }
    if (a.oidc() != null) {
      if (!c.enables(VpnProtocol.OpenVPN)) {
        errors.add(
            new ConfigError(
                "authentication.oidc",
                "needs the OpenVPN protocol: IKEv2 and SSTP clients cannot present a token"));
      }
      try {
        URI issuer = URI.create(a.oidc().issuerUrl());
        if (!"https".equals(issuer.getScheme()) || issuer.getHost() == null) {
          errors.add(
              new ConfigError("authentication.oidc.issuerUrl", "must be an https:// URL"));
        }
      } catch (IllegalArgumentException | NullPointerException e) {
        errors.add(new ConfigError("authentication.oidc.issuerUrl", "is not a URL"));
      }
      if (a.oidc().audience() == null || a.oidc().audience().isBlank()) {
        errors.add(new ConfigError("authentication.oidc.audience", "is required"));
      }
      checkOidcSignIn(c, a.oidc(), errors);
    }
  }

  private static void checkOidcSignIn(
      GatewayConfig c, GatewayConfig.Oidc o, List<ConfigError> errors) {
    String field = "authentication.oidc.";
    if (o.clockSkewMillis() < 0 || o.clockSkewMillis() > GatewayConfig.Oidc.MAX_CLOCK_SKEW_MILLIS) {
      errors.add(new ConfigError(field + "clockSkew", "must be between 0 and 5m"));
    }
    if (o.signInTimeoutMillis() < 0
        || (o.signInTimeoutMillis() > 0 && o.signInTimeoutMillis() < 10_000)
        || o.signInTimeoutMillis() > 3_600_000) {
      errors.add(new ConfigError(field + "signInTimeout", "must be between 10s and 1h"));
    }
    if (o.clientSecretFile() != null && !o.webSignIn()) {
      errors.add(new ConfigError(field + "clientSecretRef", "needs a clientId"));
    }
    if (!o.webSignIn()) {
      return;
    }
    int port = o.effectiveCallbackPort();
    if (port < 1 || port > 65535) {
      errors.add(new ConfigError(field + "callbackPort", "must be 1..65535"));
    }
    boolean tcp443 = c.protocols().contains("SSTP") || c.protocols().contains("OpenVPN");
    if ((c.management() != null && port == c.management().port())
        || (c.listen() != null && tcp443 && (port == c.listen().openvpnTcp() || port == c.listen().sstp()))) {
      errors.add(
          new ConfigError(field + "callbackPort", port + " is already used by another listener"));
    }
    if (o.redirectUrl() != null) {
      try {
        URI redirect = URI.create(o.redirectUrl());
        if (!"https".equals(redirect.getScheme())
            || redirect.getHost() == null
            || redirect.getPath() == null
            || !redirect.getPath().endsWith("/callback")
            || redirect.getRawQuery() != null
            || redirect.getRawFragment() != null) {
          errors.add(
              new ConfigError(
                  field + "redirectUrl",
                  "must be an https:// URL whose path ends with /callback, without query"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError(field + "redirectUrl", "is not a URL"));
      }
    }
  }

  private static void checkCrypto(GatewayConfig c, List<ConfigError> errors) {
    GatewayConfig.Crypto crypto = c.crypto();
    if (crypto == null) {
      errors.add(new ConfigError("policies", "crypto policy is missing"));
      return;
    }
    if (!"1.2".equals(crypto.tlsMinVersion()) && !"1.3".equals(crypto.tlsMinVersion())) {
      errors.add(new ConfigError("policies.tls.minVersion", "must be 1.2 or 1.3"));
    }
    for (String cipher : crypto.dataCiphers()) {
      if (!DATA_CIPHERS.contains(cipher)) {
        errors.add(
            new ConfigError(
                "policies.tls.dataCiphers",
                "unknown cipher '" + cipher + "' (use " + String.join(", ", DATA_CIPHERS) + ")"));
      }
    }
    if (c.enables(VpnProtocol.OpenVPN) && crypto.dataCiphers().isEmpty()) {
      errors.add(new ConfigError("policies.tls.dataCiphers", "OpenVPN needs at least one"));
    }
    if (c.enables(VpnProtocol.IKEv2) && (crypto.ike().isEmpty() || crypto.esp().isEmpty())) {
      errors.add(new ConfigError("policies", "IKEv2 needs IKE and IPsec proposals"));
    }
  }

  private static void checkRequired(GatewayConfig c, List<ConfigError> errors) {
    if (c.listen() == null) {
      errors.add(new ConfigError("listen", "is required"));
    }
    if (c.tunnel() == null) {
      errors.add(new ConfigError("tunnel", "is required"));
    } else if (c.tunnel().mtu() < 576 || c.tunnel().mtu() > 9000) {
      errors.add(new ConfigError("tunnel.mtu", "must be 576..9000"));
    }
    if (c.openvpn() == null) {
      errors.add(new ConfigError("openvpn", "is required"));
    } else if (c.openvpn().keepaliveIntervalSeconds() <= 0
        || c.openvpn().keepaliveTimeoutSeconds() <= c.openvpn().keepaliveIntervalSeconds()) {
      errors.add(
          new ConfigError("openvpn", "keepalive timeout must exceed a positive interval"));
    }
    GatewayConfig.Ikev2 ike = c.ikev2OrDefaults();
    if (ike.ikeLifetimeSeconds() < 60 || ike.childLifetimeSeconds() < 10) {
      errors.add(
          new ConfigError("ikev2", "lifetimes must be at least 60 s (IKE) and 10 s (CHILD_SA)"));
    }
    if (ike.childLifetimeKilobytes() < 0) {
      errors.add(new ConfigError("ikev2.childLifetimeKilobytes", "must not be negative"));
    }
    if (ike.dpdDelaySeconds() <= 0 || ike.dpdTimeoutSeconds() <= 0) {
      errors.add(new ConfigError("ikev2", "DPD delay and timeout must be positive"));
    }
    if (ike.fragmentSize() < 576 || ike.fragmentSize() > 65000) {
      errors.add(new ConfigError("ikev2.fragmentSize", "must be between 576 and 65000"));
    }
    if (c.management() == null) {
      errors.add(new ConfigError("management", "is required"));
    } else {
      checkManagement(c.management(), errors);
    }
    if (c.files() == null) {
      errors.add(new ConfigError("files", "is required"));
    } else if ((c.files().managementCertificate() == null)
        != (c.files().managementKey() == null)) {
      errors.add(
          new ConfigError(
              "files", "managementCertificate and managementKey are named together or not at all"));
    }
  }

  private static void checkManagement(GatewayConfig.Management m, List<ConfigError> errors) {
    if (m.port() < 1 || m.port() > 65535) {
      errors.add(new ConfigError("management.port", "must be 1..65535"));
    }
    if (m.healthPort() < 0 || m.healthPort() > 65535) {
      errors.add(new ConfigError("management.healthPort", "must be 0 (none) or 1..65535"));
    } else if (m.healthPort() == m.port()) {
      errors.add(
          new ConfigError(
              "management.healthPort", "must differ from management.port (plain HTTP vs TLS)"));
    }
  }
}
