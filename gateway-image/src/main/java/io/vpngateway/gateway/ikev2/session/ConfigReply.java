package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.message.ConfigAttribute;
import io.vpngateway.gateway.ikev2.message.ConfigPayload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The CFG_REPLY to a client's CFG_REQUEST, RFC 7296 §2.19 and §3.15: its inner address, the DNS
 * servers, the routes as INTERNAL_IP4_SUBNET in split tunnel (Windows installs routes from them,
 * strongSwan from the traffic selectors), a /32 netmask when asked, and the DNS search domains as
 * INTERNAL_DNS_DOMAIN (RFC 8598) when asked.
 */
final class ConfigReply {
  private ConfigReply() {}

  static ConfigPayload build(ConfigPayload request, long address, Ikev2Policy policy) {
    List<ConfigAttribute> attrs = new ArrayList<>();
    attrs.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, v4(address)));
    if (request.has(ConfigAttribute.INTERNAL_IP4_NETMASK)) {
      attrs.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_NETMASK, v4(0xffffffffL)));
    }
    for (String dns : policy.dnsServers()) {
      if (!dns.contains(":")) {
        attrs.add(
            new ConfigAttribute(
                ConfigAttribute.INTERNAL_IP4_DNS, v4(TrafficSelectorNarrowing.ipv4(dns))));
      }
    }
    if (!policy.forceTunnel()) {
      for (String route : policy.routes()) {
        long[] r = TrafficSelectorNarrowing.cidrRange(route);
        long mask = ~(r[1] - r[0]) & 0xffffffffL;
        byte[] v = ByteBuffer.allocate(8).put(v4(r[0])).put(v4(mask)).array();
        attrs.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_SUBNET, v));
      }
    }
    if (request.has(ConfigAttribute.INTERNAL_DNS_DOMAIN)) {
      for (String domain : policy.searchDomains()) {
        attrs.add(
            new ConfigAttribute(
                ConfigAttribute.INTERNAL_DNS_DOMAIN, domain.getBytes(StandardCharsets.US_ASCII)));
      }
    }
    return new ConfigPayload(ConfigPayload.CFG_REPLY, attrs);
  }

  static byte[] v4(long a) {
    return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
  }
}
