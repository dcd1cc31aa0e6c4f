package io.vpngateway.gateway.auth.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.auth.radius.RadiusSettings.PasswordProtocol;
import io.vpngateway.gateway.auth.radius.eap.EapPacket;
import io.vpngateway.gateway.auth.radius.eap.EapRelay;
import io.vpngateway.gateway.auth.radius.eap.EapStep;
import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted server on loopback that misbehaves: garbage, replies to another
 * identifier, forged authenticators, a missing or wrong Message-Authenticator, an MS-CHAPv2 accept
 * that does not prove the password. Bad replies are dropped and counted, the exchange goes on.
 */
class RadiusClientRobustnessTest {
  private static final byte[] SECRET = "robust-secret".getBytes(StandardCharsets.UTF_8);
  private static final NasContext NAS =
      new NasContext("vpn/test", new InetSocketAddress("192.0.2.1", 1000), "s-1", "OpenVPN");

  @Test
  void garbageWrongIdentifiersAndForgedAuthenticatorsAreDroppedThenTheRealReplyCounts()
      throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> List.of(
        new byte[] {1, 2, 3},
        reply(request, RadiusCode.ACCESS_ACCEPT, List.of(), (request.identifier() + 1) & 255,
            SECRET, false),
        reply(request, RadiusCode.ACCESS_ACCEPT, List.of(), request.identifier(),
            "forger".getBytes(), false),
        reply(request, RadiusCode.ACCESS_REJECT, List.of(), request.identifier(), SECRET, false)))) {
      RadiusServerEndpoint e = server.endpoint(Duration.ofSeconds(5));
      RadiusServerHealth health = new RadiusServerHealth();
      var auth = new RadiusPasswordAuthenticator(new RadiusClient(
          () -> RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 0, e), health));
      RadiusAuthResult r = auth.authenticate("alice", "pw", NAS);
      assertInstanceOf(RadiusAuthResult.Rejected.class, r);
      assertEquals(1, health.droppedCount(e, "Malformed"));
      assertEquals(1, health.droppedCount(e, "WrongIdentifier"));
      assertEquals(1, health.droppedCount(e, "BadAuthenticator"));
      assertEquals(1, health.requestCount(e, "reject"));
      assertEquals(0, health.retransmissionCount(e), "answered on the first transmission");
    }
  }

  @Test
  void aBadMessageAuthenticatorIsDroppedAndEapRepliesWithoutOneAreRefused() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> List.of(
        reply(request, RadiusCode.ACCESS_ACCEPT, List.of(), request.identifier(), SECRET, true,
            true),
        reply(request, RadiusCode.ACCESS_CHALLENGE,
            List.of(new RadiusAttribute(RadiusAttributeType.EAP_MESSAGE,
                new byte[] {1, 1, 0, 6, 26, 1})), request.identifier(), SECRET, false)))) {
      RadiusServerEndpoint e = server.endpoint(Duration.ofMillis(300));
      RadiusServerHealth health = new RadiusServerHealth();
      RadiusClient client = new RadiusClient(
          () -> RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 0, e), health);
      EapRelay relay = new EapRelay(client, Runnable::run);
      EapStep step = relay.start(NAS).relay(EapPacket.identityResponse(1, "alice"))
          .get(10, TimeUnit.SECONDS);
      EapStep.Failure f = assertInstanceOf(EapStep.Failure.class, step);
      assertEquals("RadiusUnavailable", f.reason());
      assertEquals(EapPacket.FAILURE, EapPacket.code(f.eapToPeer()));
      assertEquals(1, health.droppedCount(e, "BadMessageAuthenticator"));
      assertEquals(1, health.droppedCount(e, "MissingMessageAuthenticator"));
    }
  }

  @Test
  void anMsChapV2AcceptWithoutTheServersProofIsRefused() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> List.of(
        reply(request, RadiusCode.ACCESS_ACCEPT,
            List.of(RadiusAttribute.vendor(311, 26,
                ("xS=0000000000000000000000000000000000000000").getBytes())),
            request.identifier(), SECRET, false)))) {
      RadiusServerEndpoint e = server.endpoint(Duration.ofSeconds(5));
      var auth = new RadiusPasswordAuthenticator(new RadiusClient(
          () -> RadiusTestSettings.settings(PasswordProtocol.MSCHAPV2, "Class", 0, e),
          new RadiusServerHealth()));
      RadiusAuthResult r = auth.authenticate("alice", "pw", NAS);
      assertEquals("RadiusServerNotProven",
          assertInstanceOf(RadiusAuthResult.Rejected.class, r).reason());
    }
  }

  @Test
  void noAnswerAtAllIsRadiusUnavailableNamingTheServer() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> List.of())) {
      RadiusServerEndpoint e = server.endpoint(Duration.ofMillis(200));
      RadiusServerHealth health = new RadiusServerHealth();
      var auth = new RadiusPasswordAuthenticator(new RadiusClient(
          () -> RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 2, e), health));
      RadiusException ex = assertThrows(RadiusException.class,
          () -> auth.authenticate("alice", "pw", NAS));
      assertEquals("RadiusUnavailable", ex.reason());
      assertEquals(3, server.requests.size(), "1 + 2 retries, same packet each time");
      assertEquals(server.requests.get(0), server.requests.get(2));
      assertEquals(2, health.retransmissionCount(e));
      PrometheusTextWriter metrics = new PrometheusTextWriter();
      health.collect(metrics);
      assertTrue(
          metrics.toString().contains(
              "vpngw_radius_retransmissions_total{server=\"" + e.label() + "\"} 2"),
          metrics.toString());
    }
  }

  /** A reply to {@code request} as a server with {@code secret} would sign it. */
  static byte[] reply(RadiusPacket request, RadiusCode code, List<RadiusAttribute> attrs,
      int identifier, byte[] secret, boolean messageAuthenticator) {
    return reply(request, code, attrs, identifier, secret, messageAuthenticator, false);
  }

  /** With {@code breakMa}, the Message-Authenticator is wrong but the authenticator is right. */
  static byte[] reply(RadiusPacket request, RadiusCode code, List<RadiusAttribute> attrs,
      int identifier, byte[] secret, boolean messageAuthenticator, boolean breakMa) {
    try {
      List<RadiusAttribute> all = new ArrayList<>(attrs);
      if (messageAuthenticator) {
        all.add(new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, new byte[16]));
        RadiusPacket zero = new RadiusPacket(code, identifier, request.authenticator(), all);
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(secret, "HmacMD5"));
        byte[] ma = mac.doFinal(zero.encode());
        if (breakMa) {
          ma[0] ^= 1;
        }
        all.set(all.size() - 1, new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, ma));
      }
      RadiusPacket p = new RadiusPacket(code, identifier, request.authenticator(), all);
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(p.encode());
      md5.update(secret);
      return p.withAuthenticator(md5.digest()).encode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers each request with the datagrams the script returns, in order. */
  static final class ScriptedServer implements AutoCloseable {
    final DatagramSocket socket;
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    ScriptedServer(Function<RadiusPacket, List<byte[]>> script) throws SocketException {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
          try {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            socket.receive(in);
            RadiusPacket request = RadiusPacket.decode(buf, in.getLength());
            requests.add(java.util.HexFormat.of().formatHex(request.encode()));
            for (byte[] out : script.apply(request)) {
              socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            }
          } catch (Exception e) {
            return;
          }
        }
      }, "scripted-radius");
      thread.setDaemon(true);
      thread.start();
    }

    RadiusServerEndpoint endpoint(Duration timeout) {
      return RadiusTestSettings.endpoint("127.0.0.1", socket.getLocalPort(),
          new String(SECRET, StandardCharsets.UTF_8), timeout, 0);
    }

    @Override
    public void close() throws InterruptedException {
      socket.close();
      thread.join(2000);
    }
  }
}
