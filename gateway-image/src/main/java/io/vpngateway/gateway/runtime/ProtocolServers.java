package io.vpngateway.gateway.runtime;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.ikev2.Ikev2ProtocolServer;
import io.vpngateway.gateway.openvpn.OpenVpnProtocolServer;
import io.vpngateway.gateway.sstp.SstpProtocolServer;
import io.vpngateway.gateway.protocol.ProtocolServerFactory;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The protocol servers this build implements: one registration line per protocol, the only place
 * in {@code runtime/} that names one. The gateway starts a registered protocol when the config
 * enables it, in {@link VpnProtocol} order; an enabled protocol without a line here is logged as
 * not implemented and the others are served.
 */
final class ProtocolServers {
  private ProtocolServers() {}

  static final Map<VpnProtocol, ProtocolServerFactory> REGISTERED = registered();

  private static Map<VpnProtocol, ProtocolServerFactory> registered() {
    Map<VpnProtocol, ProtocolServerFactory> m = new EnumMap<>(VpnProtocol.class);
    m.put(VpnProtocol.OpenVPN, OpenVpnProtocolServer::new);
    m.put(VpnProtocol.IKEv2, Ikev2ProtocolServer::new);
    m.put(VpnProtocol.SSTP, SstpProtocolServer::new);
    return Collections.unmodifiableMap(m);
  }
}
