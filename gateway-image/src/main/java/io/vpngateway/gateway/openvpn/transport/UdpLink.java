package io.vpngateway.gateway.openvpn.transport;

import io.vpngateway.gateway.udp.NativeSocketAddress;
import io.vpngateway.gateway.udp.UdpSendBatch;
import io.vpngateway.gateway.udp.UdpSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A client reached through the server's shared UDP socket. A thread that batches (a TUN reader,
 * a UDP receive thread) queues the datagram in its {@link UdpSendBatch}; others send at once.
 */
final class UdpLink implements OpenVpnLink {
  private final UdpSocket socket;
  private volatile NativeSocketAddress remote;

  UdpLink(UdpSocket socket, InetSocketAddress remote) {
    this.socket = socket;
    this.remote = socket.peer(remote);
  }

  @Override
  public void send(ByteBuffer packet) {
    // UDP is lossy anyway: a full socket buffer or unreachable peer just drops the packet
    UdpSendBatch batch = UdpSendBatch.current();
    if (batch != null) {
      batch.add(socket, remote, packet);
    } else {
      socket.send(packet, remote);
    }
  }

  @Override
  public InetSocketAddress remote() {
    return remote.address();
  }

  @Override
  public void updateRemote(InetSocketAddress newRemote) {
    remote = socket.peer(newRemote);
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
