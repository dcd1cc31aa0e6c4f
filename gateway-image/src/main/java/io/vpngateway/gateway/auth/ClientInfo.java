package io.vpngateway.gateway.auth;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What the gateway knows about a connecting client besides its credentials, for authenticators
 * (RADIUS Calling-Station-Id, whether an OpenVPN client can do web auth) and for refusal reports.
 *
 * @param protocol the protocol it connects with
 * @param sessionId the protocol session's id (as {@code GET /sessions} will show it)
 * @param remote its outer (transport) address
 * @param attributes protocol-specific facts an authenticator may use, e.g. OpenVPN peer info
 *     ({@code IV_SSO}, {@code IV_VER}), the IKEv2 IDi; never secrets
 */
public record ClientInfo(
    VpnProtocol protocol,
    String sessionId,
    InetSocketAddress remote,
    Map<String, String> attributes) {
  public ClientInfo {
    attributes = Map.copyOf(attributes);
  }

  public ClientInfo(VpnProtocol protocol, String sessionId, InetSocketAddress remote) {
    this(protocol, sessionId, remote, Map.of());
  }

  /** The client's IP address as text, for logs and refusal records. */
  public String remoteHost() {
    return remote == null ? "-" : remote.getAddress().getHostAddress();
  }
}
