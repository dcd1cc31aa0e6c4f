package io.vpngateway.gateway.sstp.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.TestMsChapV2Authenticator;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real sstpc 1.0.18 against our SSTP server, on the loopback with no kernel PPP: sstpc runs
 * with {@code --nolaunchpppd} and its PPP side (normally pppd on a pty) is this test's {@link
 * PppTestClient} over a socat socketpair, which also plays sstp-pppd-plugin (it hands sstpc the
 * MPPE keys, so sstpc computes the Compound MAC itself). Proves the SSTP layer: TLS, the HTTP
 * exchange, Call Connect/Ack with the 36-octet Crypto Binding Request, PPP framing both ways,
 * MS-CHAPv2 against the verifier seam, IPCP from the pool, Call Connected with a crypto binding
 * our server accepts, IPv4 both ways, and a server-side close.
 */
class SstpcHostInteropTest {
  private static final Duration STEP = Duration.ofSeconds(15);
  @TempDir Path dir;
  private Process sstpc;
  private SstpTestServer server;

  @AfterEach
  void stop() throws Exception {
    System.out.println("---- sstpc log ----\n" + log());
    if (sstpc != null) {
      sstpc.descendants().forEach(ProcessHandle::destroy);
      sstpc.destroy();
      if (!sstpc.waitFor(5, TimeUnit.SECONDS)) {
        sstpc.descendants().forEach(ProcessHandle::destroyForcibly);
        sstpc.destroyForcibly();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void sstpcReachesCallConnectedWithAValidBindingAndCarriesIpv4(String tls) throws Exception {
    requireSstpc();
    TestMsChapV2Authenticator verifier =
        new TestMsChapV2Authenticator(Map.of("alice", "alice-pw"), List.of("staff"));
    server = new SstpTestServer(verifier, List.of(tls), 10, Duration.ofSeconds(30));
    String ipparam = "vt" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
    try (ServerSocket pppSide = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket ppp = startSstpc(pppSide, ipparam);
        PppTestClient client = new PppTestClient(ppp.getInputStream(), ppp.getOutputStream())) {
      client.openLcp(STEP);
      assertTrue(client.msChapV2("alice", "alice-pw", STEP), "MS-CHAPv2: " + client.failureMessage);
      Inet4Address address = client.openIpcp(STEP);
      assertEquals("10.77.0.2", address.getHostAddress(), "IPCP gives the pool's address");
      assertTrue(server.registry.all().isEmpty(), "no session before Call Connected");

      // pppd's ip-up: the plugin hands sstpc the keys, sstpc sends Call Connected
      SstpcPlugin.sendKeys(
          Path.of("/var/run/sstpc/sstpc-" + ipparam), client.mppeSendKey, client.mppeReceiveKey);
      await().atMost(STEP).until(() -> server.registry.size() == 1);
      TunnelSession session = server.registry.all().iterator().next();
      assertEquals("alice", session.identity().name());
      assertEquals(List.of("staff"), session.identity().groups());
      assertEquals(address, session.innerAddress());
      assertEquals(1, server.server.stats().sessionsEstablished.sum());
      assertEquals(0, server.server.stats().bindingFailures.sum());

      // client -> gateway
      ByteBuffer up = Packets.udp(toInt(address), Packets.ipv4("10.77.9.9"), 4000, 53, 100);
      byte[] upBytes = new byte[up.remaining()];
      up.duplicate().get(upBytes);
      client.send(PppProtocol.IPV4, upBytes);
      byte[] got = server.fromClients.poll(STEP.toSeconds(), TimeUnit.SECONDS);
      assertArrayEquals(upBytes, got, "the client's IPv4 packet reaches the data plane");

      // gateway -> client
      ByteBuffer down = Packets.udp(Packets.ipv4("10.77.9.9"), toInt(address), 53, 4000, 1200);
      byte[] downBytes = new byte[down.remaining()];
      down.duplicate().get(downBytes);
      session.deliverFromTun(down);
      assertArrayEquals(downBytes, client.await(PppProtocol.IPV4, STEP));
      assertTrue(session.bytesIn() >= upBytes.length && session.bytesOut() >= downBytes.length);

      // the gateway ends it (as DELETE /sessions/{id} or a revocation would): sstpc goes away
      session.close("test disconnect");
      assertTrue(sstpc.waitFor(STEP.toSeconds(), TimeUnit.SECONDS), "sstpc exits after the close");
      await().atMost(STEP).until(() -> server.registry.size() == 0 && server.server.connections() == 0);
      assertEquals(1, server.allocator.released.get(), "the address went back to the pool");
    }
  }

  @Test
  void aWrongPasswordIsRefusedAndCounted() throws Exception {
    requireSstpc();
    TestMsChapV2Authenticator verifier =
        new TestMsChapV2Authenticator(Map.of("alice", "alice-pw"), List.of());
    server = new SstpTestServer(verifier, List.of("TLSv1.2"), 10, Duration.ofSeconds(30));
    String ipparam = "vt" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
    try (ServerSocket pppSide = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket ppp = startSstpc(pppSide, ipparam);
        PppTestClient client = new PppTestClient(ppp.getInputStream(), ppp.getOutputStream())) {
      client.openLcp(STEP);
      assertFalse(client.msChapV2("alice", "not-her-password", STEP));
      assertTrue(client.failureMessage.startsWith("E=691 R=0"), client.failureMessage);
      assertTrue(sstpc.waitFor(STEP.toSeconds(), TimeUnit.SECONDS), "sstpc exits after refusal");
      assertEquals(1, verifier.rejected.get());
      await().atMost(STEP).until(() -> server.server.stats().authFailures.sum() == 1);
      assertEquals(0, server.allocator.leased.get(), "no address for a refused client");
      assertEquals(
          List.of("SSTP BadCredentials"),
          server.admission.refusals().recent().stream()
              .map(r -> r.protocol() + " " + r.reason())
              .toList(),
          "the admission reports the refusal with its reason");
      assertEquals(0, server.server.stats().sessionsEstablished.sum());
    }
  }

  static void requireSstpc() {
    Prerequisites.require(
        "root".equals(System.getProperty("user.name")), "sstpc needs root (/var/run/sstpc)");
    Prerequisites.requireBinary("sstpc");
    Prerequisites.requireBinary("socat");
  }

  /** Starts socat, which connects to {@code pppSide} and runs sstpc on a socketpair. */
  private Socket startSstpc(ServerSocket pppSide, String ipparam) throws IOException {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, SstpTestPki.get().ca.certificatePem());
    String command =
        "sstpc --nolaunchpppd --log-stderr --log-level 4 --ipparam "
            + ipparam
            + " --ca-cert "
            + ca
            + " 127.0.0.1:"
            + server.address.getPort();
    // socat's address syntax splits on ':' (the server's host:port), so a script runs sstpc
    Path script = dir.resolve("sstpc.sh");
    Files.writeString(script, "#!/bin/sh\nexec " + command + "\n");
    script.toFile().setExecutable(true);
    sstpc =
        new ProcessBuilder(
                "socat", "TCP:127.0.0.1:" + pppSide.getLocalPort(), "EXEC:" + script + ",nofork")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sstpc.log").toFile())
            .start();
    pppSide.setSoTimeout((int) STEP.toMillis());
    try {
      return pppSide.accept();
    } catch (IOException e) {
      throw new AssertionError("socat/sstpc did not connect:\n" + log(), e);
    }
  }

  private String log() throws IOException {
    Path p = dir.resolve("sstpc.log");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static int toInt(Inet4Address a) {
    return io.vpngateway.gateway.session.SessionRegistry.toInt(a);
  }
}
