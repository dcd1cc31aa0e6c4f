package io.vpngateway.gateway.openvpn.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Where the transports hand received OpenVPN packets (implemented by the server). */
public interface PacketHandler {
  /**
   * One datagram from {@code from} (position 0 to limit; 16 spare bytes of capacity). Called on
   * the UDP receive thread; {@code scratch} is that thread's plaintext buffer.
   */
  void onDatagram(ByteBuffer packet, InetSocketAddress from, OpenVpnLink replyLink,
      ByteBuffer scratch);

  /** One framed packet of a TCP connection, called on the connection's reader thread. */
  void onStreamPacket(TcpConnection connection, ByteBuffer packet, ByteBuffer scratch);

  /** The TCP connection ended (EOF, error or close). */
  void onStreamClosed(TcpConnection connection);
}
