package io.vpngateway.gateway.dataplane;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stand-in for a protocol session: records what the data plane delivers and, like a client behind
 * a tunnel, answers ICMP echo requests through its sink.
 */
class FakeSession implements TunnelSession {
  final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  volatile InnerPacketSink sink;
  private final Inet4Address address;

  FakeSession(String address) throws Exception {
    this.address = (Inet4Address) InetAddress.getByName(address);
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {
    byte[] copy = new byte[ipPacket.remaining()];
    ipPacket.duplicate().get(copy);
    received.add(copy);
    if (sink != null && copy.length >= 28 && copy[9] == Packets.PROTO_ICMP && copy[20] == 8) {
      sink.write(echoReply(copy));
    }
  }

  private static ByteBuffer echoReply(byte[] request) {
    ByteBuffer reply = ByteBuffer.allocateDirect(request.length);
    reply.put(request).flip();
    int src = reply.getInt(12);
    reply.putInt(12, reply.getInt(16)).putInt(16, src); // the IP checksum is order-independent
    int ihl = (reply.get(0) & 0x0f) * 4;
    reply.put(ihl, (byte) 0).putShort(ihl + 2, (short) 0);
    reply.putShort(ihl + 2, (short) Packets.checksum(reply, ihl, request.length - ihl));
    return reply;
  }

  @Override
  public String id() {
    return "fake-" + address.getHostAddress();
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.OpenVPN;
  }

  @Override
  public ClientIdentity identity() {
    return ClientIdentity.of("fake", java.util.List.of(), AuthMethod.CERTIFICATE, "test");
  }

  @Override
  public Inet4Address innerAddress() {
    return address;
  }

  @Override
  public InetSocketAddress outerAddress() {
    return new InetSocketAddress("127.0.0.1", 1194);
  }

  @Override
  public Instant since() {
    return Instant.EPOCH;
  }

  @Override
  public String cipher() {
    return "none";
  }

  @Override
  public long bytesIn() {
    return 0;
  }

  @Override
  public long bytesOut() {
    return 0;
  }

  @Override
  public void close(String reason) {}
}
