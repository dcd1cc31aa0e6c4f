package io.vpngateway.gateway.ikev2.session;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** How the IKE engine and the sessions reach the network; implemented by the UDP transport. */
public interface IkeTransport {
  /**
   * A client's UDP address in the form the transport sends to fastest. A session keeps it for
   * its ESP (and replaces it when the client moves), so nothing is converted per packet.
   */
  interface Peer {
    InetSocketAddress address();
  }

  Peer peer(InetSocketAddress address);

  /**
   * Sends one IKE message to {@code to}, from port 4500 with the non-ESP marker when {@code natT}
   * (RFC 3948 §2.2), else from port 500.
   */
  void sendIke(byte[] message, InetSocketAddress to, boolean natT);

  /**
   * Sends one ESP packet (position to limit) UDP-encapsulated from port 4500 (RFC 3948 §2.1).
   * Called from data-plane threads; batched with the calling thread's other datagrams where it
   * batches.
   */
  void sendEsp(ByteBuffer packet, Peer to);
}
