package io.vpngateway.gateway.portshare;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A protocol that takes TCP connections on a port it may share with other protocols (TCP 443:
 * OpenVPN over TCP and SSTP). The {@link SharedTcpPorts} listener reads the first bytes of each
 * connection and offers them to every handler of that port; the one that says {@link Match#YES}
 * gets the connection. Netty's {@code SocksPortUnificationServerHandler} is the model.
 *
 * <p>To plug a protocol in: implement this in the protocol's package and register it from its
 * {@code ProtocolServer.start()} with {@code context.tcpPorts().register(port, handler)}; the
 * runtime binds the port once every protocol registered. Recognisers for the first bytes of
 * OpenVPN and of a TLS ClientHello are in {@link FirstBytes}.
 */
public interface TcpProtocolHandler {
  /** What the first bytes say about a connection. */
  enum Match {
    /** This protocol's: hand it over. */
    YES,
    /** Not this protocol's. */
    NO,
    /** Cannot tell yet: read more. */
    NEED_MORE
  }

  /** A short name for logs and metrics, e.g. {@code openvpn}, {@code sstp}. */
  String name();

  /**
   * Looks at the bytes read so far (position 0 to limit; at most {@link SharedTcpPorts#SNIFF_BYTES})
   * without consuming them. Must be cheap and must not keep the buffer.
   */
  Match match(ByteBuffer firstBytes);

  /**
   * Takes over the connection (a blocking channel). {@code firstBytes} (position to limit) were
   * already read from it and must be processed before anything else. Called on the listener's
   * thread: start the protocol's own threads and return; must not block.
   */
  void adopt(SocketChannel channel, ByteBuffer firstBytes) throws IOException;
}
