package io.vpngateway.gateway.openvpn;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import java.net.InetAddress;
import java.time.Duration;

/** Maps the config document and its files onto the OpenVPN server's settings. */
public final class OpenVpnSettingsMapper {
  private OpenVpnSettingsMapper() {}

  /**
   * @param listenAddress where to bind (all addresses in a pod)
   * @param listen the ports to bind (the document's, or the host's overrides); -1 is off
   * @param maxConnections this replica's share of the gateway's limit
   */
  public static OpenVpnServerSettings settings(
      RuntimeConfig config,
      InetAddress listenAddress,
      GatewayConfig.Listen listen,
      int maxConnections) {
    return settings(
        config,
        config.document(),
        listenAddress,
        maxConnections,
        new int[] {listen.openvpnUdp(), listen.openvpnTcp()});
  }

  /**
   * The settings after a reload to {@code next}: what new sessions are pushed (routes, DNS,
   * redirect-gateway), the timers, the crypto policy and the server certificate come from {@code
   * next}; what the running server, kernel and data plane set up at start (ports, tls-crypt-v2 and
   * auth-token keys, connection limit, NAT, client-to-client) stays as in {@code running}.
   */
  public static OpenVpnServerSettings reloaded(
      OpenVpnServerSettings running, RuntimeConfig started, RuntimeConfig next) {
    GatewayConfig startedDoc = started.document();
    GatewayConfig nextDoc = next.document();
    // NAT and client-to-client are also kernel and data-plane state set up at start
    GatewayConfig.Routing routing =
        new GatewayConfig.Routing(
            nextDoc.routing().routes(),
            nextDoc.routing().forceTunnel(),
            startedDoc.routing().nat(),
            startedDoc.routing().clientToClient());
    GatewayConfig merged =
        new GatewayConfig(
            startedDoc.version(),
            startedDoc.gateway(),
            startedDoc.protocols(),
            startedDoc.listen(),
            startedDoc.replicas(),
            startedDoc.maxConnections(),
            startedDoc.pools(),
            routing,
            nextDoc.dns(),
            startedDoc.tunnel(),
            startedDoc.authentication(),
            nextDoc.crypto(),
            nextDoc.openvpn(),
            nextDoc.ikev2(),
            startedDoc.management(),
            startedDoc.files());
    RuntimeConfig credentials =
        new RuntimeConfig(
            merged,
            next.directory(),
            next.caCertificate(),
            next.serverCertificateChain(),
            next.serverKey(),
            next.crl(),
            next.trustedRoots(),
            started.tlsCryptV2ServerKey(),
            started.authTokenKey(),
            next.managementToken(),
            next.radiusSecrets(),
            next.oidcFiles(),
            next.fingerprint());
    return settings(
        credentials,
        merged,
        running.listenAddress(),
        running.maxConnections(),
        new int[] {running.udpPort(), running.tcpPort()});
  }

  private static OpenVpnServerSettings settings(
      RuntimeConfig config,
      GatewayConfig doc,
      InetAddress listenAddress,
      int maxConnections,
      int[] ports) {
    GatewayConfig.Crypto crypto = doc.crypto();
    OpenVpnServerSettings.Builder b =
        OpenVpnServerSettings.builder()
            .listenAddress(listenAddress)
            .udpPort(ports[0])
            .tcpPort(ports[1])
            .serverCredentials(config.serverCertificateChain(), config.serverKey())
            .dataCiphers(
                crypto.dataCiphers().stream()
                    .map(
                        c ->
                            DataCipherSuite.byName(c)
                                .orElseThrow(
                                    () ->
                                        new IllegalArgumentException(
                                            "unsupported data cipher " + c)))
                    .toList())
            .tlsMinVersion("1.3".equals(crypto.tlsMinVersion()) ? "TLSv1.3" : "TLSv1.2")
            .tlsCipherSuites(crypto.tlsCipherSuites())
            .keepalive(
                Duration.ofSeconds(doc.openvpn().keepaliveIntervalSeconds()),
                Duration.ofSeconds(doc.openvpn().keepaliveTimeoutSeconds()))
            .renegotiate(Duration.ofSeconds(doc.openvpn().renegotiateSeconds()), 0)
            .routes(doc.routing().routes())
            .dns(doc.dns().servers(), doc.dns().searchDomains())
            .redirectGateway(doc.routing().forceTunnel())
            .clientToClient(doc.routing().clientToClient())
            .maxConnections(maxConnections)
            .tunMtu(doc.tunnel().mtu());
    config.tlsCryptV2ServerKey().ifPresent(b::tlsCryptV2Key);
    byte[] tokenKey = config.authTokenKey().map(SecretBytes::bytes).orElse(null);
    try {
      if (tokenKey != null) {
        b.authToken(tokenKey, Duration.ofSeconds(doc.openvpn().authTokenLifetimeSeconds()));
      }
      return b.build(); // the settings keep their own copy of the key
    } finally {
      if (tokenKey != null) {
        SecretBytes.wipe(tokenKey);
      }
    }
  }
}
