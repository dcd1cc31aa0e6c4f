package io.vpngateway.gateway.sstp;

import io.vpngateway.gateway.sstp.ppp.session.PppAuthMethod;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Everything an SSTP server needs from the gateway config, validated by the caller.
 *
 * @param listen where to listen on its own, or null when connections only arrive through {@link
 *     SstpServer#adopt} (the shared TCP 443 demultiplexer)
 * @param serverCertificateChain leaf first; the leaf's hash is what crypto bindings must carry
 * @param tlsProtocols e.g. {@code TLSv1.3, TLSv1.2} (the gateway's TLS policy)
 * @param tlsCipherSuites JDK suite names, or empty for the JDK's defaults
 * @param authMethods PPP authentication methods in order of preference
 * @param mru the PPP MRU the server asks for (the TUN MTU)
 * @param dns DNS servers handed out in IPCP (at most two are used)
 * @param maxConnections established sessions this server may hold
 * @param maxConnectionsPerSource open TCP connections from one client IP
 * @param maxPendingConnections open TCP connections that have no session yet, in all
 */
public record SstpServerSettings(
    InetSocketAddress listen,
    List<X509Certificate> serverCertificateChain,
    PrivateKey serverPrivateKey,
    List<String> tlsProtocols,
    List<String> tlsCipherSuites,
    List<PppAuthMethod> authMethods,
    int mru,
    List<Inet4Address> dns,
    int maxConnections,
    int maxConnectionsPerSource,
    int maxPendingConnections,
    Duration handshakeTimeout,
    Duration negotiationTimeout,
    Duration helloInterval) {
  public SstpServerSettings {
    serverCertificateChain = List.copyOf(serverCertificateChain);
    tlsProtocols = List.copyOf(tlsProtocols);
    tlsCipherSuites = List.copyOf(tlsCipherSuites);
    authMethods = List.copyOf(authMethods);
    dns = List.copyOf(dns);
    if (serverCertificateChain.isEmpty()) {
      throw new IllegalArgumentException("SSTP needs a server certificate");
    }
    if (authMethods.isEmpty()) {
      throw new IllegalArgumentException("SSTP needs at least one PPP authentication method");
    }
    if (maxConnections < 1 || maxConnectionsPerSource < 1 || maxPendingConnections < 1) {
      throw new IllegalArgumentException("SSTP connection limits must be positive");
    }
  }

  /** Defaults for the timers and caps; the caller sets what the config decides. */
  public static SstpServerSettings of(
      InetSocketAddress listen,
      List<X509Certificate> chain,
      PrivateKey key,
      List<String> tlsProtocols,
      List<PppAuthMethod> authMethods,
      List<Inet4Address> dns,
      int maxConnections) {
    return new SstpServerSettings(
        listen,
        chain,
        key,
        tlsProtocols,
        List.of(),
        authMethods,
        1500,
        dns,
        maxConnections,
        64,
        Math.max(64, Math.min(4096, maxConnections)),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60));
  }

  public SstpServerSettings withTimeouts(Duration handshake, Duration negotiation, Duration hello) {
    return new SstpServerSettings(
        listen, serverCertificateChain, serverPrivateKey, tlsProtocols, tlsCipherSuites,
        authMethods, mru, dns, maxConnections, maxConnectionsPerSource,
        maxPendingConnections, handshake, negotiation, hello);
  }

  public SstpServerSettings withTlsProtocols(List<String> protocols) {
    return new SstpServerSettings(
        listen, serverCertificateChain, serverPrivateKey, protocols, tlsCipherSuites,
        authMethods, mru, dns, maxConnections, maxConnectionsPerSource,
        maxPendingConnections, handshakeTimeout, negotiationTimeout, helloInterval);
  }
}
