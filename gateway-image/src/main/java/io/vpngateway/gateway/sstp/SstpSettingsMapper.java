package io.vpngateway.gateway.sstp;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.sstp.ppp.session.PppAuthMethod;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Maps the config document and its files onto the SSTP server's settings. */
public final class SstpSettingsMapper {
  private SstpSettingsMapper() {}

  /**
   * @param listen where to bind, or null when connections only come through the shared port
   * @param maxConnections this replica's share of the gateway's limit
   * @param tunMtu the TUN MTU (the PPP MRU the server asks for)
   * @param authMethods PPP authentication methods, in order of preference
   */
  public static SstpServerSettings settings(
      RuntimeConfig config,
      InetSocketAddress listen,
      int maxConnections,
      int tunMtu,
      List<PppAuthMethod> authMethods) {
    GatewayConfig doc = config.document();
    GatewayConfig.Crypto crypto = doc.crypto();
    List<String> tls =
        "1.3".equals(crypto.tlsMinVersion())
            ? List.of("TLSv1.3")
            : List.of("TLSv1.3", "TLSv1.2");
    SstpServerSettings base =
        SstpServerSettings.of(
            listen,
            config.serverCertificateChain(),
            config.serverKey(),
            tls,
            authMethods,
            dns(doc.dns().servers()),
            maxConnections);
    return new SstpServerSettings(
        base.listen(),
        base.serverCertificateChain(),
        base.serverPrivateKey(),
        base.tlsProtocols(),
        crypto.tlsCipherSuites(),
        base.authMethods(),
        Math.min(tunMtu, 4095 - 8),
        base.dns(),
        base.maxConnections(),
        base.maxConnectionsPerSource(),
        base.maxPendingConnections(),
        base.handshakeTimeout(),
        base.negotiationTimeout(),
        base.helloInterval());
  }

  /** The IPv4 literals among the configured DNS servers (IPCP carries IPv4 only, RFC 1877). */
  static List<Inet4Address> dns(List<String> servers) {
    List<Inet4Address> out = new ArrayList<>();
    for (String s : servers) {
      if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        try {
          out.add((Inet4Address) InetAddress.getByName(s));
        } catch (UnknownHostException | ClassCastException e) {
          // validated by the loader; skip anything odd rather than fail the server
        }
      }
    }
    return out;
  }
}
