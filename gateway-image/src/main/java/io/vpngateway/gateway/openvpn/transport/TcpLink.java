package io.vpngateway.gateway.openvpn.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A client on its own TCP connection. OpenVPN frames each packet on a stream with a 2-byte
 * big-endian length prefix (openvpn {@code socket.c: stream_buf}); writes from several threads
 * are serialised so frames never interleave.
 */
final class TcpLink implements OpenVpnLink {
  private final SocketChannel channel;
  private final InetSocketAddress remote;
  private final ByteBuffer prefix = ByteBuffer.allocateDirect(2);
  private final ByteBuffer[] pair = new ByteBuffer[2];

  TcpLink(SocketChannel channel, InetSocketAddress remote) {
    this.channel = channel;
    this.remote = remote;
  }

  @Override
  public void send(ByteBuffer packet) {
    synchronized (this) {
      try {
        prefix.clear();
        prefix.putShort((short) packet.remaining()).flip();
        pair[0] = prefix;
        pair[1] = packet;
        while (packet.hasRemaining() || prefix.hasRemaining()) {
          channel.write(pair);
        }
      } catch (IOException e) {
        close();
      } finally {
        pair[1] = null;
      }
    }
  }

  @Override
  public InetSocketAddress remote() {
    return remote;
  }

  @Override
  public void updateRemote(InetSocketAddress newRemote) {
    // a TCP session cannot float
  }

  @Override
  public boolean isStream() {
    return true;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
