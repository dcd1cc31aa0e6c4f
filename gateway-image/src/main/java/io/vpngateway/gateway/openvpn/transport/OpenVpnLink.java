package io.vpngateway.gateway.openvpn.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The path from one session to its client: a UDP peer address on the shared socket, or a TCP
 * connection (which adds the 2-byte length prefix of openvpn's stream framing). Thread-safe.
 */
public interface OpenVpnLink {
  /** Sends one OpenVPN packet (position to limit). Errors are counted, not thrown. */
  void send(ByteBuffer packet);

  InetSocketAddress remote();

  /** UDP only: moves the link to a new client address (float), after the packet authenticated. */
  void updateRemote(InetSocketAddress remote);

  boolean isStream();

  void close();
}
