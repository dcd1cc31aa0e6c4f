package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.testing.Wait;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input on loopback: thousands of random and mutated datagrams must be dropped and
 * counted without killing the receive threads, and a well-formed client reset afterwards still
 * gets the server's reset, statelessly: the session exists only once the cookie is echoed.
 */
class OpenVpnServerRobustnessTest {
  @Test
  void garbageIsCountedAndTheServerKeepsAnswering() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("robust", KeySpec.EC_P256, Instant.now());
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gw", List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    OpenVpnServerSettings settings = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getLoopbackAddress()).udpPort(0).tcpPort(-1)
        .serverCredentials(List.of(server.certificate()), server.privateKey())
        .newHandshakesPerSecondPerSource(1000).build();
    try (OpenVpnServer s = OpenVpnServer.standalone(settings,
        chain -> { throw new io.vpngateway.gateway.auth.AuthenticationException(io.vpngateway.gateway.auth.RefusalReason.UNTRUSTED_ISSUER, "test"); },
        (client, protocol) -> Optional.<AddressLease>empty(), new SessionRegistry(), address -> p -> { });
        DatagramChannel client = DatagramChannel.open()) {
      s.start();
      InetSocketAddress target = s.udpAddress().orElseThrow();
      client.connect(target);
      Random random = new Random(42);
      byte[] reset = new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0,
          77L, new long[0], 0, 0, new byte[0]).encodePlain();
      for (int i = 0; i < 3000; i++) {
        byte[] junk;
        if (i % 2 == 0) {
          junk = new byte[1 + random.nextInt(200)];
          random.nextBytes(junk);
          // keep the control opcodes common so the decoders, not only the opcode check, are hit
          junk[0] = (byte) ((random.nextInt(12) << 3) | random.nextInt(8));
        } else {
          junk = reset.clone();
          junk[random.nextInt(junk.length)] ^= (byte) (1 + random.nextInt(255));
          junk = java.util.Arrays.copyOf(junk, random.nextInt(junk.length + 8));
          if (junk.length == 0) {
            continue;
          }
        }
        client.write(ByteBuffer.wrap(junk));
      }
      OpenVpnServerStats st = s.stats();
      Wait.until("1000 junk datagrams counted", Duration.ofSeconds(10),
          () -> st.malformedDropped.sum() + st.unknownSessionDropped.sum() >= 1000, st::toString);
      assertTrue(st.malformedDropped.sum() > 0, st.toString());
      assertTrue(st.malformedDropped.sum() + st.unknownSessionDropped.sum() >= 1000,
          st.toString());

      // a fresh, well-formed reset from a new source is still answered
      try (DatagramChannel fresh = DatagramChannel.open()) {
        fresh.connect(target);
        fresh.socket().setSoTimeout(5000);
        byte[] good = new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0,
            99L, new long[0], 0, 0, new byte[0]).encodePlain();
        ByteBuffer reply = ByteBuffer.allocate(2048);
        OpenVpnControlPacket answer = null;
        for (int attempt = 0; attempt < 3 && answer == null; attempt++) {
          fresh.write(ByteBuffer.wrap(good));
          try {
            java.net.DatagramPacket dp = new java.net.DatagramPacket(reply.array(),
                reply.capacity());
            fresh.socket().receive(dp);
            answer = OpenVpnControlPacket.decodePlain(
                ByteBuffer.wrap(dp.getData(), 0, dp.getLength()));
          } catch (SocketTimeoutException e) {
            // retry
          }
        }
        assertTrue(answer != null, "no reply after the garbage");
        assertEquals(OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2, answer.opcode());
        assertEquals(99L, answer.remoteSessionId());
        // the reset was answered statelessly: no session, no TLS engine yet
        assertEquals(0, s.sessions().size());
        // echoing the cookie (our session id) with an ack of the reset creates the session
        byte[] echo = OpenVpnControlPacket.ack(0, 99L, new long[] {0}, answer.sessionId())
            .encodePlain();
        fresh.write(ByteBuffer.wrap(echo));
        Wait.until("the honest handshake's session", Duration.ofSeconds(5),
            () -> !s.sessions().isEmpty());
        assertEquals(1, s.sessions().size());
        // a forged cookie from another source creates nothing; that source's own honest
        // handshake afterwards travels the same socket thread and control queue, so once its
        // session exists the forged packet has been judged
        try (DatagramChannel other = DatagramChannel.open()) {
          other.connect(target);
          other.socket().setSoTimeout(5000);
          other.write(ByteBuffer.wrap(OpenVpnControlPacket.ack(0, 5L, new long[] {0},
              answer.sessionId()).encodePlain()));
          other.write(ByteBuffer.wrap(new OpenVpnControlPacket(
              OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0, 6L, new long[0], 0, 0,
              new byte[0]).encodePlain()));
          java.net.DatagramPacket dp = new java.net.DatagramPacket(reply.array(),
              reply.capacity());
          other.socket().receive(dp);
          OpenVpnControlPacket otherAnswer = OpenVpnControlPacket.decodePlain(
              ByteBuffer.wrap(dp.getData(), 0, dp.getLength()));
          other.write(ByteBuffer.wrap(OpenVpnControlPacket.ack(0, 6L, new long[] {0},
              otherAnswer.sessionId()).encodePlain()));
          Wait.until("the other source's honest session", Duration.ofSeconds(5),
              () -> s.sessions().stream().anyMatch(x -> x.clientSessionId() == 6L),
              () -> s.sessions().toString());
          assertEquals(2, s.sessions().size(), s.sessions().toString());
          assertTrue(s.sessions().stream().noneMatch(x -> x.clientSessionId() == 5L));
        }
      }
    }
  }
}
