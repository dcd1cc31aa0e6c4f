package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Negotiable crypto parameters (NCP, openvpn {@code ssl_ncp.c}): the first cipher in the server's
 * {@code data-ciphers} order that the client also offers in IV_CIPHERS.
 */
final class CipherNegotiation {
  private CipherNegotiation() {}

  static Optional<DataCipherSuite> choose(List<DataCipherSuite> server, PeerInfo client) {
    List<String> offered = client.ciphers().stream()
        .map(c -> c.trim().toUpperCase(Locale.ROOT)).toList();
    for (DataCipherSuite s : server) {
      if (offered.contains(s.openVpnName())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
