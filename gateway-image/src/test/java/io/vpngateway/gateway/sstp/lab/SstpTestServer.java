package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.SstpServer;
import io.vpngateway.gateway.sstp.SstpServerSettings;
import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.ppp.session.MsChapV2Verifier;
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
  public final InetSocketAddress address;

  public SstpTestServer(
      MsChapV2Verifier verifier, List<String> tlsProtocols, int maxConnections, Duration negotiation)
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
                TestAllocator.address("10.77.0.1"),
                List.of(TestAllocator.address("10.77.0.53")),
                maxConnections)
            .withTimeouts(Duration.ofSeconds(5), negotiation, Duration.ofSeconds(60));
    server =
        new SstpServer(
            settings,
            verifier,
            allocator,
            registry,
            client ->
                (ByteBuffer p) -> {
                  byte[] copy = new byte[p.remaining()];
                  p.get(copy);
                  fromClients.add(copy);
                });
    address = server.start();
  }

  @Override
  public void close() {
    server.close();
  }
}
