package io.vpngateway.gateway.openvpn.transport;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * A TCP client that never reads (zero window) on loopback: sending to it must never block the
 * caller (the shared control thread or a TUN reader); data is dropped and counted, and a control
 * packet that does not fit closes the connection.
 */
class TcpLinkTest {
  private static final PacketHandler IGNORE = new PacketHandler() {
    @Override
    public void onDatagram(ByteBuffer packet, InetSocketAddress from, OpenVpnLink replyLink,
        ByteBuffer scratch) {
    }

    @Override
    public void onStreamPacket(TcpConnection connection, ByteBuffer packet, ByteBuffer scratch) {
    }

    @Override
    public void onStreamClosed(TcpConnection connection) {
    }
  };

  @Test
  void aClientThatStopsReadingNeverBlocksTheSender() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel stalled = SocketChannel.open()) {
        stalled.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        stalled.connect(listener.getLocalAddress());
        SocketChannel accepted = listener.accept();
        accepted.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        LongAdder dropped = new LongAdder();
        TcpConnection c = new TcpConnection(accepted, null, IGNORE, dropped);
        c.start("tcp-link-test");
        TcpLink link = (TcpLink) c.link();
        byte[] data = new byte[1400];
        data[0] = (byte) (9 << 3); // P_DATA_V2
        byte[] control = new byte[1100];
        control[0] = (byte) (4 << 3); // P_CONTROL_V1

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
          for (int i = 0; i < 2000; i++) {
            link.send(ByteBuffer.wrap(data));
          }
        });
        assertTrue(dropped.sum() > 0, "data beyond the queue limit is dropped and counted");
        assertTrue(!link.isClosed(), "dropping data does not close the connection");
        long now = System.nanoTime();
        assertTrue(!link.isStuck(now), "a full queue is not yet a stuck writer");
        assertTrue(link.isStuck(now + TcpLink.STUCK_NANOS + 1_000_000_000L),
            "no progress for longer than the limit is a stuck writer (the sweep closes it)");

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
          for (int i = 0; i < 2000 && !link.isClosed(); i++) {
            link.send(ByteBuffer.wrap(control));
          }
        });
        assertTrue(link.isClosed(), "a control packet that cannot be queued closes the link");
      }
    }
  }
}
