package io.vpngateway.gateway.openvpn.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** A client reached through the server's shared UDP socket. */
final class UdpLink implements OpenVpnLink {
  private final DatagramChannel channel;
  private volatile InetSocketAddress remote;

  UdpLink(DatagramChannel channel, InetSocketAddress remote) {
    this.channel = channel;
    this.remote = remote;
  }

  @Override
  public void send(ByteBuffer packet) {
    try {
      channel.send(packet, remote);
    } catch (IOException e) {
      // UDP is lossy anyway; a full socket buffer or unreachable peer just drops the packet
    }
  }

  @Override
  public InetSocketAddress remote() {
    return remote;
  }

  @Override
  public void updateRemote(InetSocketAddress newRemote) {
    remote = newRemote;
  }

  @Override
  public boolean isStream() {
    return false;
  }

  @Override
  public void close() {
    // the socket is shared by all UDP sessions
  }
}
