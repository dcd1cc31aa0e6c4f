package io.vpngateway.api.profile;

import io.vpngateway.api.pki.Pkcs12Bundle;
import io.vpngateway.api.policy.CryptoPolicy;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the profile renderers need about one client and its gateway. Immutable; build it with
 * {@link #builder()}. Values end up inside config files and scripts, so they are validated here
 * (host names, ports, no quotes or line breaks) and the renderers can write them as is.
 *
 * @param gatewayName the VpnGateway name: names the connection on the client
 * @param endpointHost the DNS name or IP address clients dial
 * @param serverName the server certificate's subject CN and a SAN (OpenVPN {@code
 *     verify-x509-name}, IKEv2 remote identity); usually the same as {@code endpointHost}
 * @param clientName the client certificate's CN (IKEv2 local identity, EAP user name)
 * @param protocols the protocols the gateway offers; a renderer for a protocol that is off is not
 *     used
 * @param openVpnUdpPort OpenVPN UDP port, 0 when OpenVPN over UDP is off
 * @param openVpnTcpPort OpenVPN TCP port, 0 when OpenVPN over TCP is off
 * @param ikePort IKE port (500; NAT-T moves to 4500 as RFC 3948 says)
 * @param sstpPort SSTP (HTTPS) port
 * @param caCertificatePem the CA that signed the server certificate
 * @param clientCertificatePem the client certificate, or null for a password-only OpenVPN profile
 *     (a gateway that admits clients without a certificate: RADIUS or OIDC alone)
 * @param clientKeyPem the client's unencrypted PKCS#8 key, null exactly when the certificate is
 * @param pkcs12 the same key and certificate as PKCS#12, for Apple and Windows; may be null when
 *     neither IKEv2 nor SSTP is on
 * @param tlsCryptV2ClientKey the client's {@code tls-crypt-v2} key text, or null
 * @param tlsCryptKey a shared {@code tls-crypt} key text, or null (at most one of the two)
 * @param dataCiphers OpenVPN data-channel ciphers in preference order
 * @param tlsMinVersion {@code 1.2} or {@code 1.3}
 * @param ikeProposals IKE proposals in strongSwan notation, preferred first
 * @param espProposals ESP proposals in strongSwan notation, preferred first
 * @param dnsServers DNS servers the gateway pushes (profiles that cannot receive them use these)
 * @param searchDomains DNS search domains
 * @param routes IPv4 CIDRs reachable through the tunnel (split tunnel)
 * @param forceTunnel all traffic through the tunnel
 * @param passwordAuthentication whether a password/token is asked besides the certificate
 */
public record ClientProfileInput(
    String gatewayName,
    String endpointHost,
    String serverName,
    String clientName,
    Set<VpnProtocol> protocols,
    int openVpnUdpPort,
    int openVpnTcpPort,
    int ikePort,
    int sstpPort,
    String caCertificatePem,
    String clientCertificatePem,
    String clientKeyPem,
    Pkcs12Bundle pkcs12,
    String tlsCryptV2ClientKey,
    String tlsCryptKey,
    List<String> dataCiphers,
    String tlsMinVersion,
    List<String> ikeProposals,
    List<String> espProposals,
    List<String> dnsServers,
    List<String> searchDomains,
    List<String> routes,
    boolean forceTunnel,
    PasswordAuthentication passwordAuthentication) {

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-]+");
  private static final Pattern CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._\\-]+");

  public ClientProfileInput {
    requireText(gatewayName, "gatewayName");
    requireHost(endpointHost, "endpointHost");
    serverName = serverName == null ? endpointHost : serverName;
    requireText(serverName, "serverName");
    requireText(clientName, "clientName");
    protocols =
        protocols == null || protocols.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(protocols));
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("at least one protocol is needed for a client profile");
    }
    requirePort(openVpnUdpPort, "openVpnUdpPort", true);
    requirePort(openVpnTcpPort, "openVpnTcpPort", true);
    requirePort(ikePort, "ikePort", false);
    requirePort(sstpPort, "sstpPort", false);
    if (protocols.contains(VpnProtocol.OpenVPN) && openVpnUdpPort == 0 && openVpnTcpPort == 0) {
      throw new IllegalArgumentException(
          "OpenVPN is enabled but neither a UDP nor a TCP port is set");
    }
    requirePem(caCertificatePem, "caCertificatePem", "CERTIFICATE");
    requirePem(clientCertificatePem, "clientCertificatePem", "CERTIFICATE");
    requirePem(clientKeyPem, "clientKeyPem", "PRIVATE KEY");
    if ((clientCertificatePem == null) != (clientKeyPem == null)) {
      throw new IllegalArgumentException(
          "give both clientCertificatePem and clientKeyPem, or neither (password-only profile)");
    }
    if (clientCertificatePem == null
        && (passwordAuthentication == null
            || passwordAuthentication == PasswordAuthentication.NONE)) {
      throw new IllegalArgumentException(
          "a profile without a client certificate needs password authentication (RADIUS or OIDC)");
    }
    if (clientCertificatePem == null
        && (protocols.contains(VpnProtocol.IKEv2) || protocols.contains(VpnProtocol.SSTP))) {
      throw new IllegalArgumentException(
          "a profile without a client certificate is OpenVPN only");
    }
    if ((protocols.contains(VpnProtocol.IKEv2) || protocols.contains(VpnProtocol.SSTP))
        && pkcs12 == null) {
      throw new IllegalArgumentException("IKEv2 and SSTP profiles need the PKCS#12 bundle");
    }
    if (tlsCryptV2ClientKey != null && tlsCryptKey != null) {
      throw new IllegalArgumentException(
          "give either a tls-crypt-v2 client key or a tls-crypt key, not both");
    }
    requirePem(tlsCryptV2ClientKey, "tlsCryptV2ClientKey", "OpenVPN tls-crypt-v2 client key");
    requirePem(tlsCryptKey, "tlsCryptKey", "OpenVPN Static key V1");
    dataCiphers = tokens(dataCiphers, "dataCiphers");
    tlsMinVersion = tlsMinVersion == null ? "1.2" : tlsMinVersion;
    if (!tlsMinVersion.equals("1.2") && !tlsMinVersion.equals("1.3")) {
      throw new IllegalArgumentException("tlsMinVersion must be 1.2 or 1.3, got " + tlsMinVersion);
    }
    ikeProposals = List.copyOf(Objects.requireNonNullElse(ikeProposals, List.of()));
    espProposals = List.copyOf(Objects.requireNonNullElse(espProposals, List.of()));
    ikeProposals.forEach(IpsecProposal::parse);
    espProposals.forEach(IpsecProposal::parse);
    if (protocols.contains(VpnProtocol.IKEv2)
        && (ikeProposals.isEmpty() || espProposals.isEmpty())) {
      throw new IllegalArgumentException(
          "IKEv2 profiles need at least one IKE and one ESP proposal");
    }
    dnsServers = List.copyOf(Objects.requireNonNullElse(dnsServers, List.of()));
    dnsServers.forEach(s -> requireHost(s, "dnsServers"));
    searchDomains = tokens(searchDomains, "searchDomains");
    routes = List.copyOf(Objects.requireNonNullElse(routes, List.of()));
    for (String route : routes) {
      if (!CIDR.matcher(route).matches()) {
        throw new IllegalArgumentException("route '" + route + "' is not an IPv4 CIDR");
      }
    }
    passwordAuthentication =
        Objects.requireNonNullElse(passwordAuthentication, PasswordAuthentication.NONE);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether this is a password-only profile: no client certificate, a password or token. */
  public boolean passwordOnly() {
    return clientCertificatePem == null;
  }

  public boolean has(VpnProtocol protocol) {
    return protocols.contains(protocol);
  }

  /** The IKE proposals parsed, in order. */
  List<IpsecProposal> parsedIkeProposals() {
    return ikeProposals.stream().map(IpsecProposal::parse).toList();
  }

  List<IpsecProposal> parsedEspProposals() {
    return espProposals.stream().map(IpsecProposal::parse).toList();
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    // Values are written inside quoted strings of several languages: keep them plain.
    // (Single quotes are allowed and escaped by the renderers that need it.)
    if (value.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '`' || c == '\\' || c == '$')) {
      throw new IllegalArgumentException(
          field + " '" + value + "' contains a double quote, '`', '$', '\\' or control characters");
    }
  }

  private static void requireHost(String value, String field) {
    if (value == null || !HOST.matcher(value).matches() || value.length() > 253) {
      throw new IllegalArgumentException(
          field + " '" + value + "' is not a host name or IP address");
    }
  }

  private static void requirePort(int port, String field, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(field + " " + port + " is not a valid port");
    }
  }

  private static void requirePem(String text, String field, String label) {
    if (text == null) {
      return;
    }
    if (!text.contains("-----BEGIN " + label + "-----")
        || !text.contains("-----END " + label + "-----")) {
      throw new IllegalArgumentException(field + " is not a PEM '" + label + "' block");
    }
    // An inline block ending early would let the rest of the text become profile directives.
    if (text.contains("</")) {
      throw new IllegalArgumentException(field + " contains '</'");
    }
  }

  private static List<String> tokens(List<String> values, String field) {
    List<String> copy = List.copyOf(Objects.requireNonNullElse(values, List.of()));
    for (String value : copy) {
      if (!TOKEN.matcher(value).matches()) {
        throw new IllegalArgumentException(
            field + " value '" + value + "' has unexpected characters");
      }
    }
    return copy;
  }

  /** Builder with the gateway defaults: UDP 1194, TCP off, IKE 500, SSTP 443, TLS 1.2. */
  public static final class Builder {
    private String gatewayName;
    private String endpointHost;
    private String serverName;
    private String clientName;
    private final Set<VpnProtocol> protocols = EnumSet.noneOf(VpnProtocol.class);
    private int openVpnUdpPort = 1194;
    private int openVpnTcpPort;
    private int ikePort = 500;
    private int sstpPort = 443;
    private String caCertificatePem;
    private String clientCertificatePem;
    private String clientKeyPem;
    private Pkcs12Bundle pkcs12;
    private String tlsCryptV2ClientKey;
    private String tlsCryptKey;
    private List<String> dataCiphers = List.of("AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305");
    private String tlsMinVersion = "1.2";
    private List<String> ikeProposals = List.of();
    private List<String> espProposals = List.of();
    private List<String> dnsServers = List.of();
    private List<String> searchDomains = List.of();
    private final List<String> routes = new ArrayList<>();
    private boolean forceTunnel;
    private PasswordAuthentication passwordAuthentication = PasswordAuthentication.NONE;

    private Builder() {}

    public Builder gatewayName(String v) {
      gatewayName = v;
      return this;
    }

    public Builder endpointHost(String v) {
      endpointHost = v;
      return this;
    }

    public Builder serverName(String v) {
      serverName = v;
      return this;
    }

    public Builder clientName(String v) {
      clientName = v;
      return this;
    }

    public Builder protocols(Set<VpnProtocol> v) {
      protocols.clear();
      protocols.addAll(v);
      return this;
    }

    public Builder openVpnUdpPort(int v) {
      openVpnUdpPort = v;
      return this;
    }

    public Builder openVpnTcpPort(int v) {
      openVpnTcpPort = v;
      return this;
    }

    public Builder ikePort(int v) {
      ikePort = v;
      return this;
    }

    public Builder sstpPort(int v) {
      sstpPort = v;
      return this;
    }

    public Builder caCertificatePem(String v) {
      caCertificatePem = v;
      return this;
    }

    public Builder clientCertificatePem(String v) {
      clientCertificatePem = v;
      return this;
    }

    public Builder clientKeyPem(String v) {
      clientKeyPem = v;
      return this;
    }

    public Builder pkcs12(Pkcs12Bundle v) {
      pkcs12 = v;
      return this;
    }

    public Builder tlsCryptV2ClientKey(String v) {
      tlsCryptV2ClientKey = v;
      return this;
    }

    public Builder tlsCryptKey(String v) {
      tlsCryptKey = v;
      return this;
    }

    public Builder dataCiphers(List<String> v) {
      dataCiphers = v;
      return this;
    }

    public Builder tlsMinVersion(String v) {
      tlsMinVersion = v;
      return this;
    }

    public Builder ikeProposals(List<String> v) {
      ikeProposals = v;
      return this;
    }

    public Builder espProposals(List<String> v) {
      espProposals = v;
      return this;
    }

    public Builder dnsServers(List<String> v) {
      dnsServers = v;
      return this;
    }

    public Builder searchDomains(List<String> v) {
      searchDomains = v;
      return this;
    }

    public Builder routes(List<String> v) {
      routes.clear();
      routes.addAll(v);
      return this;
    }

    public Builder forceTunnel(boolean v) {
      forceTunnel = v;
      return this;
    }

    public Builder passwordAuthentication(PasswordAuthentication v) {
      passwordAuthentication = v;
      return this;
    }

    /**
     * Takes the resolved crypto policy of the gateway (the config document's): OpenVPN data
     * ciphers, TLS minimum, IKE and ESP proposals.
     */
    public Builder crypto(CryptoPolicy policy) {
      dataCiphers = policy.dataCiphers();
      tlsMinVersion = policy.tlsMinVersion();
      ikeProposals = policy.ike();
      espProposals = policy.esp();
      return this;
    }

    public ClientProfileInput build() {
      return new ClientProfileInput(
          gatewayName,
          endpointHost,
          serverName,
          clientName,
          protocols,
          openVpnUdpPort,
          openVpnTcpPort,
          ikePort,
          sstpPort,
          caCertificatePem,
          clientCertificatePem,
          clientKeyPem,
          pkcs12,
          tlsCryptV2ClientKey,
          tlsCryptKey,
          dataCiphers,
          tlsMinVersion,
          ikeProposals,
          espProposals,
          dnsServers,
          searchDomains,
          routes,
          forceTunnel,
          passwordAuthentication);
    }
  }
}
