package io.vpngateway.gateway.openvpn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.testing.Wait;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Connection admission of the TCP listener on loopback (sources 127.0.0.1-3): the global and
 * per-source caps, the deadline for connections that never produce a session, and shutdown
 * closing connections that have no session.
 */
class OpenVpnTcpServerTest {
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
  void capsAndTheNoSessionDeadlineCloseConnections() throws Exception {
    LongAdder refused = new LongAdder();
    OpenVpnTcpServer server = new OpenVpnTcpServer(IGNORE,
        new OpenVpnTcpServer.Limits(3, 2, TimeUnit.SECONDS.toNanos(5)), new LongAdder(), refused);
    List<Socket> clients = new ArrayList<>();
    try {
      InetSocketAddress at = server.listen(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      clients.add(connect(at, "127.0.0.1"));
      clients.add(connect(at, "127.0.0.1"));
      waitFor(() -> server.connections() == 2, "two connections admitted");
      Socket thirdFromOneSource = connect(at, "127.0.0.1");
      clients.add(thirdFromOneSource);
      waitFor(() -> refused.sum() == 1, "per-source cap");
      assertEquals(-1, read(thirdFromOneSource));

      clients.add(connect(at, "127.0.0.2"));
      waitFor(() -> server.connections() == 3, "another source admitted");
      Socket overGlobalCap = connect(at, "127.0.0.3");
      clients.add(overGlobalCap);
      waitFor(() -> refused.sum() == 2, "global cap");
      assertEquals(-1, read(overGlobalCap));

      server.sweep(System.nanoTime());
      assertEquals(3, server.connections(), "within the deadline nothing is swept");
      server.sweep(System.nanoTime() + TimeUnit.SECONDS.toNanos(6));
      waitFor(() -> server.connections() == 0, "connections without a session swept");
      assertEquals(5, refused.sum());
      assertEquals(-1, read(clients.get(0)));

      // slots are released: a new connection is admitted again
      Socket again = connect(at, "127.0.0.1");
      clients.add(again);
      waitFor(() -> server.connections() == 1, "slot released");
      server.close();
      waitFor(() -> server.connections() == 0, "shutdown closes unbound connections");
      assertEquals(-1, read(again));
    } finally {
      server.close();
      for (Socket s : clients) {
        s.close();
      }
    }
  }

  private static Socket connect(InetSocketAddress at, String from) throws Exception {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(at, 5000);
    s.setSoTimeout(5000);
    return s;
  }

  private static int read(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    return in.read();
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    Wait.until(what, Duration.ofSeconds(5), condition::getAsBoolean);
  }
}
