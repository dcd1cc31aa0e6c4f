package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.SstpServer;
import io.vpngateway.gateway.sstp.SstpServerSettings;
import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.MsChapV2Authenticator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.sstp.ppp.session.PppAuthMethod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An {@link SstpServer} on the loopback for host-only tests: the test CA's server certificate, a
 * {@link TestAllocator}, a registry, and a sink that keeps every IPv4 packet a client sends.
 */
public final class SstpTestServer implements AutoCloseable {
  public final SessionRegistry registry = new SessionRegistry();
  public final TestAllocator allocator;
  public final BlockingQueue<byte[]> fromClients = new LinkedBlockingQueue<>();
  public final SstpServer server;
  public final Admission admission;
  public final InetSocketAddress address;

  public SstpTestServer(
      MsChapV2Authenticator verifier,
      List<String> tlsProtocols,
      int maxConnections,
      Duration negotiation)
      throws Exception {
    allocator = new TestAllocator(maxConnections + 4);
    var pki = SstpTestPki.get();
    SstpServerSettings settings =
        SstpServerSettings.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(pki.server.certificate()),
                pki.server.privateKey(),
                tlsProtocols,
                List.of(PppAuthMethod.MSCHAPV2),
                List.of(TestAllocator.address("10.77.0.53")),
                maxConnections)
            .withTimeouts(Duration.ofSeconds(5), negotiation, Duration.ofSeconds(60));
    admission =
        new Admission(
            AuthenticationPipeline.builder().msChapV2(verifier).build(),
            maxConnections,
            new GatewayMetrics(registry));
    server =
        new SstpServer(
            settings,
            admission,
            allocator,
            registry,
            client ->
                (ByteBuffer p) -> {
                  if (!p.isDirect()) {
                    // as the production sink (TunPacketSink: the TUN writes by address)
                    throw new IllegalArgumentException("TUN I/O needs a direct ByteBuffer");
                  }
                  byte[] copy = new byte[p.remaining()];
                  p.get(copy);
                  fromClients.add(copy);
                  answerPing(copy);
                });
    address = server.start();
  }

  /**
   * Plays every host behind the gateway for ICMP: an echo request from a client is answered
   * (addresses swapped, type 0) through the data plane's path to the client's session.
   */
  private void answerPing(byte[] p) {
    if (p.length < 28 || (p[0] & 0xf0) != 0x40 || p[9] != 1) {
      return;
    }
    int ihl = (p[0] & 0x0f) * 4;
    if (p[ihl] != 8) {
      return;
    }
    byte[] r = p.clone();
    System.arraycopy(p, 12, r, 16, 4);
    System.arraycopy(p, 16, r, 12, 4);
    r[ihl] = 0;
    r[ihl + 2] = 0;
    r[ihl + 3] = 0;
    int sum = io.vpngateway.gateway.lab.Packets.checksum(ByteBuffer.wrap(r), ihl, r.length - ihl);
    r[ihl + 2] = (byte) (sum >>> 8);
    r[ihl + 3] = (byte) sum;
    int client =
        ((p[12] & 0xff) << 24) | ((p[13] & 0xff) << 16) | ((p[14] & 0xff) << 8) | (p[15] & 0xff);
    var session = registry.lookup(client);
    if (session != null) {
      session.deliverFromTun(ByteBuffer.wrap(r));
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
