package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the PUSH_REPLY for one client (openvpn {@code push.c}, options as in {@code
 * doc/man-sections/server-options.rst}). Topology subnet: the client gets {@code ifconfig <addr>
 * <netmask>} and {@code route-gateway <gateway's pool address>}; pushed routes go via that gateway.
 */
final class PushReplyBuilder {
  private PushReplyBuilder() {}

  static String build(OpenVpnServerSettings s, AddressLease lease, DataCipherSuite cipher,
      int peerId, boolean tlsEkm, String authToken) {
    List<String> o = new ArrayList<>();
    o.add("topology subnet");
    o.add("route-gateway " + lease.gateway().getHostAddress());
    o.add("ifconfig " + lease.address().getHostAddress() + " " + netmask(lease.prefixLength()));
    for (String r : s.routes()) {
      String[] p = r.split("/");
      o.add("route " + p[0] + " " + netmask(Integer.parseInt(p[1])));
    }
    if (s.redirectGateway()) {
      o.add("redirect-gateway def1");
    }
    for (String dns : s.dnsServers()) {
      o.add("dhcp-option DNS " + dns);
    }
    for (String d : s.searchDomains()) {
      o.add("dhcp-option DOMAIN " + d);
    }
    o.add("ping " + s.keepaliveInterval().toSeconds());
    o.add("ping-restart " + s.keepaliveTimeout().toSeconds());
    o.add("tun-mtu " + s.tunMtu());
    o.add("peer-id " + peerId);
    o.add("cipher " + cipher.openVpnName());
    o.add(tlsEkm ? "protocol-flags cc-exit tls-ekm" : "protocol-flags cc-exit");
    if (authToken != null) {
      o.add("auth-token " + authToken);
    }
    return "PUSH_REPLY," + String.join(",", o);
  }

  static String netmask(int prefix) {
    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
    byte[] b = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
    try {
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
