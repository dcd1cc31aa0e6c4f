package io.vpngateway.gateway.openvpn;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import java.net.InetAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the OpenVPN server needs from the configuration, validated at construction. Built by
 * the config loader (or tests) through {@link #builder()}.
 *
 * @param listenAddress the address to bind (the pod address or 0.0.0.0)
 * @param udpPort the UDP port, 0 for an ephemeral one, -1 to disable UDP
 * @param tcpPort the TCP port, 0 for an ephemeral one, -1 to disable the TCP listener (sessions
 *     can still be adopted from a shared port)
 * @param dataCiphers data-channel ciphers in server preference order
 * @param tlsMinVersion {@code TLSv1.2} or {@code TLSv1.3}
 * @param tlsCipherSuites JSSE names of allowed suites; empty means the JDK defaults
 * @param tlsCryptKey the shared tls-crypt key; when set (or tls-crypt-v2 is), unwrapped control
 *     packets are dropped
 * @param tlsCryptV2Key the tls-crypt-v2 server key
 * @param keepaliveInterval how often to ping an idle client (pushed as {@code ping})
 * @param keepaliveTimeout silence after which a session ends (pushed as {@code ping-restart})
 * @param renegotiateAfter data-key lifetime (openvpn reneg-sec); zero disables
 * @param renegotiateBytes bytes per data key (reneg-bytes); zero disables
 * @param routes networks pushed as routes, CIDR {@code a.b.c.d/n}
 * @param redirectGateway push {@code redirect-gateway def1} (forced tunnel)
 * @param clientToClient forward packets between clients inside the gateway
 * @param maxConnections sessions beyond this get AUTH_FAILED
 * @param authTokenSecret HMAC key for pushed auth tokens (shared by replicas); empty: no token
 * @param tunMtu pushed tun-mtu
 * @param newHandshakesPerSecondPerSource rate limit for client resets from one IP
 */
public record OpenVpnServerSettings(
    InetAddress listenAddress,
    int udpPort,
    int tcpPort,
    List<DataCipherSuite> dataCiphers,
    String tlsMinVersion,
    List<String> tlsCipherSuites,
    List<X509Certificate> serverCertificateChain,
    PrivateKey serverPrivateKey,
    Optional<OpenVpnStaticKey> tlsCryptKey,
    Optional<TlsCryptV2ServerKey> tlsCryptV2Key,
    Duration keepaliveInterval,
    Duration keepaliveTimeout,
    Duration renegotiateAfter,
    long renegotiateBytes,
    List<String> routes,
    List<String> dnsServers,
    List<String> searchDomains,
    boolean redirectGateway,
    boolean clientToClient,
    int maxConnections,
    Optional<byte[]> authTokenSecret,
    Duration authTokenLifetime,
    int tunMtu,
    int newHandshakesPerSecondPerSource) {

  public OpenVpnServerSettings {
    dataCiphers = List.copyOf(dataCiphers);
    tlsCipherSuites = List.copyOf(tlsCipherSuites);
    serverCertificateChain = List.copyOf(serverCertificateChain);
    routes = List.copyOf(routes);
    dnsServers = List.copyOf(dnsServers);
    searchDomains = List.copyOf(searchDomains);
    authTokenSecret = authTokenSecret.map(byte[]::clone);
    if (dataCiphers.isEmpty()) {
      throw new IllegalArgumentException("dataCiphers must name at least one cipher");
    }
    if (!tlsMinVersion.equals("TLSv1.2") && !tlsMinVersion.equals("TLSv1.3")) {
      throw new IllegalArgumentException("tlsMinVersion must be TLSv1.2 or TLSv1.3, was "
          + tlsMinVersion);
    }
    if (serverCertificateChain.isEmpty()) {
      throw new IllegalArgumentException("serverCertificateChain must not be empty");
    }
    if (udpPort < -1 || udpPort > 65535 || tcpPort < -1 || tcpPort > 65535) {
      throw new IllegalArgumentException("ports must be -1 (off), 0 (any) or 1..65535");
    }
    if (keepaliveInterval.isZero() || keepaliveTimeout.compareTo(keepaliveInterval) <= 0) {
      throw new IllegalArgumentException("keepaliveTimeout must exceed keepaliveInterval > 0");
    }
    if (maxConnections < 1 || maxConnections > 0xfffffe) {
      throw new IllegalArgumentException("maxConnections must be 1..16777214");
    }
    if (authTokenSecret.isPresent() && authTokenSecret.get().length < 32) {
      throw new IllegalArgumentException("authTokenSecret must be at least 32 bytes");
    }
    if (tunMtu < 576 || tunMtu > 9000) {
      throw new IllegalArgumentException("tunMtu must be 576..9000");
    }
    for (String r : routes) {
      if (!r.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
        throw new IllegalArgumentException("route must be a.b.c.d/n: " + r);
      }
    }
  }

  public boolean tlsCryptRequired() {
    return tlsCryptKey.isPresent() || tlsCryptV2Key.isPresent();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults match openvpn 2.6's server defaults where one exists. */
  public static final class Builder {
    private InetAddress listenAddress = InetAddress.getLoopbackAddress();
    private int udpPort = 1194;
    private int tcpPort = -1;
    private List<DataCipherSuite> dataCiphers = List.of(DataCipherSuite.AES_256_GCM,
        DataCipherSuite.AES_128_GCM, DataCipherSuite.CHACHA20_POLY1305);
    private String tlsMinVersion = "TLSv1.2";
    private List<String> tlsCipherSuites = List.of();
    private List<X509Certificate> chain = List.of();
    private PrivateKey key;
    private OpenVpnStaticKey tlsCryptKey;
    private TlsCryptV2ServerKey tlsCryptV2Key;
    private Duration keepaliveInterval = Duration.ofSeconds(10);
    private Duration keepaliveTimeout = Duration.ofSeconds(60);
    private Duration renegotiateAfter = Duration.ofHours(1);
    private long renegotiateBytes;
    private List<String> routes = List.of();
    private List<String> dnsServers = List.of();
    private List<String> searchDomains = List.of();
    private boolean redirectGateway;
    private boolean clientToClient;
    private int maxConnections = 250;
    private byte[] authTokenSecret;
    private Duration authTokenLifetime = Duration.ofHours(12);
    private int tunMtu = 1500;
    private int handshakeRate = 10;

    public Builder listenAddress(InetAddress a) {
      listenAddress = a;
      return this;
    }

    public Builder udpPort(int p) {
      udpPort = p;
      return this;
    }

    public Builder tcpPort(int p) {
      tcpPort = p;
      return this;
    }

    public Builder dataCiphers(List<DataCipherSuite> c) {
      dataCiphers = c;
      return this;
    }

    public Builder tlsMinVersion(String v) {
      tlsMinVersion = v;
      return this;
    }

    public Builder tlsCipherSuites(List<String> s) {
      tlsCipherSuites = s;
      return this;
    }

    public Builder serverCredentials(List<X509Certificate> chain, PrivateKey key) {
      this.chain = chain;
      this.key = key;
      return this;
    }

    public Builder tlsCryptKey(OpenVpnStaticKey k) {
      tlsCryptKey = k;
      return this;
    }

    public Builder tlsCryptV2Key(TlsCryptV2ServerKey k) {
      tlsCryptV2Key = k;
      return this;
    }

    public Builder keepalive(Duration interval, Duration timeout) {
      keepaliveInterval = interval;
      keepaliveTimeout = timeout;
      return this;
    }

    public Builder renegotiate(Duration after, long bytes) {
      renegotiateAfter = after;
      renegotiateBytes = bytes;
      return this;
    }

    public Builder routes(List<String> r) {
      routes = r;
      return this;
    }

    public Builder dns(List<String> servers, List<String> domains) {
      dnsServers = servers;
      searchDomains = domains;
      return this;
    }

    public Builder redirectGateway(boolean b) {
      redirectGateway = b;
      return this;
    }

    public Builder clientToClient(boolean b) {
      clientToClient = b;
      return this;
    }

    public Builder maxConnections(int n) {
      maxConnections = n;
      return this;
    }

    public Builder authToken(byte[] secret, Duration lifetime) {
      authTokenSecret = secret;
      authTokenLifetime = lifetime;
      return this;
    }

    public Builder tunMtu(int m) {
      tunMtu = m;
      return this;
    }

    public Builder newHandshakesPerSecondPerSource(int n) {
      handshakeRate = n;
      return this;
    }

    public OpenVpnServerSettings build() {
      if (key == null) {
        throw new IllegalArgumentException("serverCredentials are required");
      }
      return new OpenVpnServerSettings(listenAddress, udpPort, tcpPort, dataCiphers,
          tlsMinVersion, tlsCipherSuites, chain, key, Optional.ofNullable(tlsCryptKey),
          Optional.ofNullable(tlsCryptV2Key), keepaliveInterval, keepaliveTimeout,
          renegotiateAfter, renegotiateBytes, routes, dnsServers, searchDomains, redirectGateway,
          clientToClient, maxConnections, Optional.ofNullable(authTokenSecret),
          authTokenLifetime, tunMtu, handshakeRate);
    }
  }
}
