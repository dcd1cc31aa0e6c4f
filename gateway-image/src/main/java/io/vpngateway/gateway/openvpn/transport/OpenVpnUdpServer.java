package io.vpngateway.gateway.openvpn.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * OpenVPN over UDP: one socket shared by all clients and one receive thread, which decrypts data
 * packets itself (no hand-off on the data path) and passes control packets on. Buffers are reused;
 * the JDK caches the sender address of consecutive datagrams from one peer.
 */
public final class OpenVpnUdpServer implements AutoCloseable {
  private final PacketHandler handler;
  private DatagramChannel channel;
  private Thread receiver;
  private volatile boolean closed;

  public OpenVpnUdpServer(PacketHandler handler) {
    this.handler = handler;
  }

  public InetSocketAddress bind(InetSocketAddress address) throws IOException {
    channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    channel.bind(address);
    receiver = new Thread(this::receiveLoop, "openvpn-udp-rx");
    receiver.setDaemon(true);
    receiver.start();
    return (InetSocketAddress) channel.getLocalAddress();
  }

  /** A link to {@code remote} through this socket. */
  public OpenVpnLink linkTo(InetSocketAddress remote) {
    return new UdpLink(channel, remote);
  }

  private void receiveLoop() {
    // heap buffers: the AEAD ciphers work on arrays without copying (see OpenVpnClientSession)
    ByteBuffer packet = ByteBuffer.allocate(65536 + 32);
    ByteBuffer scratch = ByteBuffer.allocate(65536 + 64);
    while (!closed) {
      try {
        packet.clear().limit(65536);
        InetSocketAddress from = (InetSocketAddress) channel.receive(packet);
        packet.flip();
        if (packet.hasRemaining()) {
          handler.onDatagram(packet, from, null, scratch);
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
