package io.vpngateway.gateway.sstp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.lab.Packets;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.crypto.SstpHashProtocol;
import io.vpngateway.gateway.sstp.lab.SstpTestClient;
import io.vpngateway.gateway.sstp.lab.SstpTestServer;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input against a running SSTP server, each case with a healthy session beside it that must
 * keep working: a non-SSTP HTTP request gets 404 and a close; a client that is not TLS, or too
 * slow, is closed and counted; a Call Connected whose binding is wrong (HLAK, certificate hash,
 * nonce) or comes before authentication aborts that call only; a PPP control-frame storm is cut
 * off and counted.
 */
class SstpServerRobustnessTest {
  static final Duration STEP = Duration.ofSeconds(10);
  private SstpTestServer server;
  private SstpTestClient healthy;
  private Inet4Address healthyAddress;

  @BeforeEach
  void start() throws Exception {
    server =
        new SstpTestServer(
            new TestMsChapV2Authenticator(Map.of("alice", "alice-pw", "mallory", "m-pw"), List.of()),
            List.of("TLSv1.3", "TLSv1.2"),
            10,
            Duration.ofSeconds(4));
    healthy = new SstpTestClient(server.address);
    healthyAddress = healthy.connect("alice", "alice-pw", STEP);
    await().atMost(STEP).until(() -> server.registry.size() == 1);
  }

  @AfterEach
  void stop() throws Exception {
    if (healthy != null) {
      healthy.close();
    }
    server.close();
  }

  /** The healthy session still carries traffic both ways. */
  private void healthyStillWorks() throws Exception {
    assertEquals(1, server.registry.size(), "the healthy session is still registered");
    ByteBuffer up =
        Packets.udp(SessionRegistry.toInt(healthyAddress), Packets.ipv4("10.77.9.9"), 1, 2, 64);
    byte[] upBytes = new byte[up.remaining()];
    up.get(upBytes);
    server.fromClients.clear();
    healthy.ppp.send(PppProtocol.IPV4, upBytes);
    assertArrayEquals(upBytes, server.fromClients.poll(10, TimeUnit.SECONDS));
    ByteBuffer down =
        Packets.udp(Packets.ipv4("10.77.9.9"), SessionRegistry.toInt(healthyAddress), 2, 1, 64);
    byte[] downBytes = new byte[down.remaining()];
    down.duplicate().get(downBytes);
    server.registry.all().iterator().next().deliverFromTun(down);
    assertArrayEquals(downBytes, healthy.ppp.await(PppProtocol.IPV4, STEP));
  }

  @Test
  void aPlainHttpsRequestGets404() throws Exception {
    try (SSLSocket s = tlsClient()) {
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: vpn\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 404"), reply);
    }
    assertEquals(1, server.server.stats().notSstpRequests.sum());
    healthyStillWorks();
  }

  @Test
  void notTlsAtAllIsClosedAndCounted() throws Exception {
    try (Socket s = new Socket(server.address.getAddress(), server.address.getPort())) {
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout((int) STEP.toMillis());
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // an alert, then the close
      }
    }
    await().atMost(STEP).until(() -> server.server.stats().tlsFailures.sum() == 1);
    healthyStillWorks();
  }

  @Test
  void aSilentClientIsClosedAtTheHandshakeDeadline() throws Exception {
    try (Socket s = new Socket(server.address.getAddress(), server.address.getPort())) {
      s.setSoTimeout(20_000);
      long start = System.nanoTime();
      InputStream in = s.getInputStream();
      int n = 0;
      while (in.read() >= 0) {
        n++; // at most a TLS alert record
      }
      assertTrue(n < 64, "nothing but an alert before the close, got " + n + " octets");
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15));
    }
    assertEquals(1, server.server.stats().slowClients.sum());
    healthyStillWorks();
  }

  @Test
  void aClientThatNeverSendsCallConnectedIsAbortedAtTheNegotiationDeadline() throws Exception {
    try (SstpTestClient slow = new SstpTestClient(server.address)) {
      slow.callConnect(STEP);
      assertTrue(slow.isClosedByServer(Duration.ofSeconds(15)), "closed by the negotiation timer");
    }
    await().atMost(STEP).until(() -> server.server.stats().slowClients.sum() == 1);
    healthyStillWorks();
  }

  @Test
  void theTimerStopsWithTheLastConnectionAndRunsAgainForTheNext() throws Exception {
    assertTrue(server.server.ticking(), "a connection is open");
    healthy.close();
    healthy = null;
    await()
        .atMost(STEP)
        .until(() -> server.server.connections() == 0 && !server.server.ticking());

    try (SstpTestClient slow = new SstpTestClient(server.address)) {
      slow.callConnect(STEP);
      assertTrue(server.server.ticking(), "the new connection restarted the tick");
      assertTrue(slow.isClosedByServer(Duration.ofSeconds(15)), "closed by the negotiation timer");
    }
  }

  @Test
  void wrongBindingsAbortTheCallOnly() throws Exception {
    int attempt = 0;
    for (String broken : List.of("hlak", "certificate", "nonce", "sha1-hlak")) {
      try (SstpTestClient m = new SstpTestClient(server.address)) {
        m.callConnect(STEP);
        m.ppp.openLcp(STEP);
        assertTrue(m.ppp.msChapV2("mallory", "m-pw", STEP));
        m.ppp.openIpcp(STEP);
        SstpHashProtocol p = broken.startsWith("sha1") ? SstpHashProtocol.SHA1
            : SstpHashProtocol.SHA256;
        byte[] send = m.ppp.mppeSendKey.clone();
        byte[] cert = m.serverCertificateHash(p);
        byte[] nonce = m.nonce();
        switch (broken) {
          case "hlak", "sha1-hlak" -> send[0] ^= 1;
          case "certificate" -> cert[5] ^= 1;
          default -> nonce[31] ^= 1;
        }
        m.callConnected(p, cert, nonce, send, m.ppp.mppeReceiveKey);
        SstpControlMessage reply = m.awaitControl(STEP);
        assertEquals(SstpMessageType.CALL_ABORT, reply.type(), broken);
        assertTrue(m.isClosedByServer(STEP), broken + ": closed after the abort");
      }
      attempt++;
      int expected = attempt;
      await().atMost(STEP)
          .until(() -> server.server.stats().bindingFailures.sum() == expected);
    }
    assertEquals(1, server.server.stats().sessionsEstablished.sum(), "only the healthy one");
    await().atMost(STEP).until(() -> server.allocator.released.get() == 4);
    assertEquals(
        4,
        server.admission.refusals().recent().stream()
            .filter(r -> r.reason().equals("CryptoBindingFailed"))
            .count(),
        "each broken binding is reported as CryptoBindingFailed");
    assertEquals(1, server.admission.inUse(), "the refused calls gave their slots back");
    healthyStillWorks();
  }

  @Test
  void callConnectedBeforeAuthenticationAborts() throws Exception {
    try (SstpTestClient m = new SstpTestClient(server.address)) {
      m.callConnect(STEP);
      m.callConnected(SstpHashProtocol.SHA256, m.serverCertificateHash(SstpHashProtocol.SHA256),
          m.nonce(), new byte[16], new byte[16]);
      assertEquals(SstpMessageType.CALL_ABORT, m.awaitControl(STEP).type());
    }
    assertEquals(0, server.allocator.leased.get() - 1);
    healthyStillWorks();
  }

  @Test
  void aControlFrameStormIsCutOffAndCounted() throws Exception {
    try (SstpTestClient m = new SstpTestClient(server.address)) {
      m.connect("mallory", "m-pw", STEP);
      await().atMost(STEP).until(() -> server.registry.size() == 2);
      byte[] echo = new CpPacket(CpPacket.ECHO_REQUEST, 1, new byte[8]).encode();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int sent = 0;
      try {
        while (sent < 20_000 && System.nanoTime() < deadline) {
          m.ppp.send(PppProtocol.LCP, echo);
          sent++;
        }
      } catch (java.io.IOException closed) {
        // the server cut the connection
      }
      assertTrue(m.isClosedByServer(STEP), "the flooding call is aborted");
    }
    assertEquals(1, server.server.stats().controlFloods.sum());
    assertTrue(server.server.stats().pppFramesDropped.sum() >= 1000);
    await().atMost(STEP).until(() -> server.registry.size() == 1);
    healthyStillWorks();
  }

  private SSLSocket tlsClient() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", SstpTestPki.get().ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory()
                .createSocket(server.address.getAddress(), server.address.getPort());
    s.setSoTimeout((int) STEP.toMillis());
    s.startHandshake();
    return s;
  }
}
