package io.vpngateway.gateway.sstp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.portshare.FirstBytes;
import io.vpngateway.gateway.portshare.SharedTcpPorts;
import io.vpngateway.gateway.portshare.TcpProtocolHandler;
import io.vpngateway.gateway.sstp.lab.SstpTestClient;
import io.vpngateway.gateway.sstp.lab.SstpTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SSTP behind the gateway's shared TCP port, as {@code SstpProtocolServer} registers it: a whole
 * SSTP call (TLS, HTTP, SSTP control, PPP with MS-CHAPv2, IPCP) reaches Call Connected through the
 * demultiplexer, which consumed the start of the ClientHello, while another protocol's handler on
 * the same port sees nothing.
 */
class SstpSharedPortTest {
  @Test
  void aWholeSstpCallGoesThroughTheSharedPort() throws Exception {
    AtomicInteger otherProtocol = new AtomicInteger();
    try (SstpTestServer sstp =
        new SstpTestServer(
            new TestMsChapV2Authenticator(Map.of("alice", "alice-pw"), List.of()),
            List.of("TLSv1.3", "TLSv1.2"),
            10,
            Duration.ofSeconds(10))) {
      SharedTcpPorts ports = new SharedTcpPorts(InetAddress.getLoopbackAddress());
      try {
        SharedTcpPorts.Registration port =
            ports.register(
                0,
                new TcpProtocolHandler() {
                  @Override
                  public String name() {
                    return "openvpn";
                  }

                  @Override
                  public Match match(ByteBuffer firstBytes) {
                    return FirstBytes.openVpnClientReset(firstBytes);
                  }

                  @Override
                  public void adopt(SocketChannel channel, ByteBuffer firstBytes)
                      throws IOException {
                    otherProtocol.incrementAndGet();
                    channel.close();
                  }
                });
        ports.register(
            0,
            new TcpProtocolHandler() {
              @Override
              public String name() {
                return "sstp";
              }

              @Override
              public Match match(ByteBuffer firstBytes) {
                return FirstBytes.tlsClientHello(firstBytes);
              }

              @Override
              public void adopt(SocketChannel channel, ByteBuffer firstBytes) throws IOException {
                sstp.server.adopt(channel, firstBytes);
              }
            });
        ports.start();
        InetSocketAddress shared = port.address().orElseThrow();

        try (SstpTestClient client = new SstpTestClient(shared)) {
          client.connect("alice", "alice-pw", Duration.ofSeconds(20));
          await().atMost(Duration.ofSeconds(10)).until(() -> sstp.registry.size() == 1);
        }
        assertEquals(0, otherProtocol.get());
        assertEquals(0L, ports.dropped().get("Unrecognized"));
      } finally {
        ports.close();
      }
    }
  }
}
