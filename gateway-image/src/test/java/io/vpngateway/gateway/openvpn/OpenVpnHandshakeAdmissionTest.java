package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.crypto.TlsCrypt;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.testing.Wait;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Admission of new handshakes over loopback UDP with tls-crypt: what an unauthenticated or
 * oversize packet may cost the server before any session exists.
 */
class OpenVpnHandshakeAdmissionTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void forgedResetsDoNotSpendAClientsRateLimit() throws Exception {
    OpenVpnStaticKey key = OpenVpnStaticKey.generate(RANDOM);
    try (OpenVpnServer s = server(key, b -> b.newHandshakesPerSecondPerSource(1));
        DatagramChannel client = DatagramChannel.open()) {
      s.start();
      client.connect(s.udpAddress().orElseThrow());
      TlsCrypt clientCrypt = clientSide(key);
      for (int i = 0; i < 20; i++) {
        byte[] forged = clientCrypt.wrap(reset(1000 + i));
        forged[20] ^= 1; // break the tag
        client.write(ByteBuffer.wrap(forged));
      }
      waitFor(() -> s.stats().authenticationDropped.sum() == 20, "forged resets dropped");
      client.write(ByteBuffer.wrap(clientCrypt.wrap(reset(7))));
      OpenVpnControlPacket answer = clientCrypt.unwrap(ByteBuffer.wrap(receive(client)));
      assertEquals(OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2, answer.opcode());
      assertEquals(7L, answer.remoteSessionId());
      assertEquals(0, s.stats().rateLimitedHandshakes.sum());
    }
  }

  @Test
  void oneSourceCannotHoldMoreThanItsShareOfHandshakes() throws Exception {
    OpenVpnStaticKey key = OpenVpnStaticKey.generate(RANDOM);
    List<DatagramChannel> clients = new java.util.ArrayList<>();
    try (OpenVpnServer s = server(key, b -> b.newHandshakesPerSecondPerSource(1000))) {
      s.start();
      InetSocketAddress target = s.udpAddress().orElseThrow();
      int perSource = OpenVpnServer.HANDSHAKES_PER_SOURCE;
      for (int i = 0; i <= perSource; i++) {
        clients.add(handshakeUntilCookieEcho(target, "127.0.0.1", key, 100 + i));
      }
      waitFor(() -> s.stats().rateLimitedHandshakes.sum() == 1, "the cap refused one");
      assertEquals(perSource, s.sessions().size());
      clients.add(handshakeUntilCookieEcho(target, "127.0.0.2", key, 999));
      waitFor(() -> s.sessions().size() == perSource + 1, "another source still admitted");
    } finally {
      for (DatagramChannel c : clients) {
        c.close();
      }
    }
  }

  @Test
  void aResetNobodyAnswersIsRetransmittedOnlyAFewTimes() throws Exception {
    TlsCryptV2ServerKey serverKey = TlsCryptV2ServerKey.generate(RANDOM);
    OpenVpnStaticKey kc = OpenVpnStaticKey.generate(RANDOM);
    byte[] wkc = serverKey.wrap(kc, TlsCryptV2Metadata.user("carol")).wrappedKey();
    try (OpenVpnServer s = server(null, b -> b.tlsCryptV2Key(serverKey));
        DatagramChannel client = DatagramChannel.open()) {
      s.start();
      client.connect(s.udpAddress().orElseThrow());
      OpenVpnControlPacket v3 = new OpenVpnControlPacket(
          OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3, 0, 7L, new long[0], 0, 0, new byte[0]);
      byte[] inner = clientSide(kc).wrap(v3);
      client.write(ByteBuffer.allocate(inner.length + wkc.length).put(inner).put(wkc).flip());
      waitFor(() -> s.sessions().size() == 1, "V3 reset creates its session");
      // the client (a replay, or a spoofed source) never answers: the session goes away after
      // a few copies of our reset, long before the 60 s handshake window
      Wait.until("the unanswered session to go away", Duration.ofSeconds(15),
          () -> s.sessions().isEmpty());
      client.configureBlocking(false);
      int copies = 0;
      ByteBuffer buf = ByteBuffer.allocate(4096);
      while (client.read(buf.clear()) > 0) {
        copies++;
      }
      assertEquals(3, copies, "copies of our reset");
    }
  }

  @Test
  void aClientRestartedOnTheSameAddressAndPortGetsANewSession() throws Exception {
    OpenVpnStaticKey key = OpenVpnStaticKey.generate(RANDOM);
    try (OpenVpnServer s = server(key, b -> b.newHandshakesPerSecondPerSource(1000));
        DatagramChannel client = handshakeUntilCookieEcho(s, key, 41L)) {
      waitFor(() -> s.sessions().size() == 1, "first session");
      // the client restarts (new session id) on the same ip:port before the old session timed out
      long before = s.stats().unknownSessionDropped.sum();
      echoCookie(client, key, 42L);
      waitFor(() -> s.sessions().stream().anyMatch(x -> x.clientSessionId() == 42L),
          "the restarted client's session");
      assertEquals(before, s.stats().unknownSessionDropped.sum());
    }
  }

  private static DatagramChannel handshakeUntilCookieEcho(OpenVpnServer s, OpenVpnStaticKey key,
      long sessionId) throws Exception {
    s.start();
    return handshakeUntilCookieEcho(s.udpAddress().orElseThrow(), "127.0.0.1", key, sessionId);
  }

  @Test
  void oversizeControlDatagramsAreDroppedBeforeTheControlThread() throws Exception {
    OpenVpnStaticKey key = OpenVpnStaticKey.generate(RANDOM);
    try (OpenVpnServer s = server(key, b -> b);
        DatagramChannel client = DatagramChannel.open()) {
      s.start();
      client.connect(s.udpAddress().orElseThrow());
      TlsCrypt crypt = clientSide(key);
      byte[] big = crypt.wrap(new OpenVpnControlPacket(
          OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0, 5L, new long[0], 0, 0,
          new byte[OpenVpnServer.MAX_CONTROL_PACKET]));
      big[20] ^= 1; // a forged tag: reaching tls-crypt at all would count an authentication drop
      client.write(ByteBuffer.wrap(big));
      waitFor(() -> s.stats().malformedDropped.sum() == 1, "oversize reset dropped");
      assertEquals(0, s.stats().authenticationDropped.sum(), "never reached tls-crypt");
    }
  }

  /** Sends a reset from {@code from}, echoes the server's cookie, returns the open channel. */
  private static DatagramChannel handshakeUntilCookieEcho(InetSocketAddress target, String from,
      OpenVpnStaticKey key, long sessionId) throws Exception {
    DatagramChannel ch = DatagramChannel.open();
    ch.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    ch.connect(target);
    return echoCookie(ch, key, sessionId);
  }

  private static DatagramChannel echoCookie(DatagramChannel ch, OpenVpnStaticKey key,
      long sessionId) throws Exception {
    TlsCrypt crypt = clientSide(key);
    ch.write(ByteBuffer.wrap(crypt.wrap(reset(sessionId))));
    OpenVpnControlPacket answer = crypt.unwrap(ByteBuffer.wrap(receive(ch)));
    ch.write(ByteBuffer.wrap(crypt.wrap(OpenVpnControlPacket.ack(0, sessionId, new long[] {0},
        answer.sessionId()))));
    return ch;
  }

  static OpenVpnServer server(OpenVpnStaticKey tlsCryptKey,
      UnaryOperator<OpenVpnServerSettings.Builder> tweak) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("admit", KeySpec.EC_P256, Instant.now());
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gw", List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    OpenVpnServerSettings.Builder b = OpenVpnServerSettings.builder()
        .listenAddress(InetAddress.getLoopbackAddress()).udpPort(0).tcpPort(-1)
        .serverCredentials(List.of(server.certificate()), server.privateKey())
        .tlsCryptKey(tlsCryptKey);
    return OpenVpnServer.standalone(tweak.apply(b).build(),
        chain -> { throw new io.vpngateway.gateway.auth.AuthenticationException(io.vpngateway.gateway.auth.RefusalReason.UNTRUSTED_ISSUER, "test"); },
        (c, protocol) -> Optional.<AddressLease>empty(), new SessionRegistry(), address -> p -> { });
  }

  /** The client's view of a tls-crypt key: the server's two halves swapped. */
  static TlsCrypt clientSide(OpenVpnStaticKey key) throws Exception {
    byte[] k = key.bytes();
    byte[] mirrored = new byte[k.length];
    System.arraycopy(k, 128, mirrored, 0, 128);
    System.arraycopy(k, 0, mirrored, 128, 128);
    return new TlsCrypt(OpenVpnStaticKey.of(mirrored));
  }

  static OpenVpnControlPacket reset(long sessionId) {
    return new OpenVpnControlPacket(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, 0, sessionId,
        new long[0], 0, 0, new byte[0]);
  }

  static byte[] receive(DatagramChannel ch) throws Exception {
    ch.socket().setSoTimeout(5000);
    byte[] buf = new byte[4096];
    DatagramPacket dp = new DatagramPacket(buf, buf.length);
    try {
      ch.socket().receive(dp);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer from the server within 5 s");
    }
    return java.util.Arrays.copyOf(buf, dp.getLength());
  }

  static void waitFor(BooleanSupplier condition, String what) {
    Wait.until(what, Duration.ofSeconds(5), condition::getAsBoolean);
  }
}
