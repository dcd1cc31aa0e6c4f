package io.vpngateway.gateway.openvpn.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * OpenVPN over TCP: an optional listener plus {@link #adopt}, through which a shared-port sniffer
 * (TCP 443 with SSTP) hands over a connection whose first bytes it already read. Each connection
 * gets a reader thread; its packets go to the {@link PacketHandler}.
 */
public final class OpenVpnTcpServer implements AutoCloseable {
  private final PacketHandler handler;
  private final LongAdder sendDropped;
  private ServerSocketChannel listener;
  private Thread acceptor;
  private volatile boolean closed;

  /**
   * @param sendDropped counts data packets dropped because a client's send queue was full
   */
  public OpenVpnTcpServer(PacketHandler handler, LongAdder sendDropped) {
    this.handler = handler;
    this.sendDropped = sendDropped;
  }

  /** Binds and starts accepting; returns the bound address. */
  public InetSocketAddress listen(InetSocketAddress address) throws IOException {
    listener = ServerSocketChannel.open();
    listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    listener.bind(address, 256);
    acceptor = new Thread(this::acceptLoop, "openvpn-tcp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return (InetSocketAddress) listener.getLocalAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        adopt(listener.accept(), null);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /**
   * Takes over an accepted connection. {@code alreadyRead} (position to limit, may be null) holds
   * bytes a protocol sniffer consumed; they are processed before anything read from the socket.
   */
  public void adopt(SocketChannel channel, ByteBuffer alreadyRead) throws IOException {
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    TcpConnection c = new TcpConnection(channel, alreadyRead, handler, sendDropped);
    c.start("openvpn-tcp-" + channel.getRemoteAddress());
  }

  @Override
  public void close() {
    closed = true;
    if (listener != null) {
      try {
        listener.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
