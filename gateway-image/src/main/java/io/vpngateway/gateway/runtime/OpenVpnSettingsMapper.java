package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import java.net.InetAddress;
import java.time.Duration;

/** Maps the config document and its files onto the OpenVPN server's settings. */
final class OpenVpnSettingsMapper {
  private OpenVpnSettingsMapper() {}

  /**
   * @param listenAddress where to bind (all addresses in a pod)
   * @param maxConnections this replica's share of the gateway's limit
   * @param portOverride when not null, {udp, tcp} ports replacing the document's (tests)
   */
  static OpenVpnServerSettings settings(RuntimeConfig config, InetAddress listenAddress,
      int maxConnections, int[] portOverride) {
    GatewayConfig doc = config.document();
    GatewayConfig.Crypto crypto = doc.crypto();
    OpenVpnServerSettings.Builder b = OpenVpnServerSettings.builder()
        .listenAddress(listenAddress)
        .udpPort(portOverride == null ? doc.listen().openvpnUdp() : portOverride[0])
        .tcpPort(portOverride == null ? doc.listen().openvpnTcp() : portOverride[1])
        .serverCredentials(config.serverCertificateChain(), config.serverKey())
        .dataCiphers(crypto.dataCiphers().stream()
            .map(c -> DataCipherSuite.byName(c).orElseThrow(() ->
                new IllegalArgumentException("unsupported data cipher " + c)))
            .toList())
        .tlsMinVersion("1.3".equals(crypto.tlsMinVersion()) ? "TLSv1.3" : "TLSv1.2")
        .tlsCipherSuites(crypto.tlsCipherSuites())
        .keepalive(Duration.ofSeconds(doc.openvpn().keepaliveIntervalSeconds()),
            Duration.ofSeconds(doc.openvpn().keepaliveTimeoutSeconds()))
        .renegotiate(Duration.ofSeconds(doc.openvpn().renegotiateSeconds()), 0)
        .routes(doc.routing().routes())
        .dns(doc.dns().servers(), doc.dns().searchDomains())
        .redirectGateway(doc.routing().forceTunnel())
        .clientToClient(doc.routing().clientToClient())
        .maxConnections(maxConnections)
        .tunMtu(doc.openvpn().tunMtu());
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
