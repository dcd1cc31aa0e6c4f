package io.vpngateway.gateway.auth.radius.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.auth.radius.GroupAttributeSelector;
import io.vpngateway.gateway.auth.radius.MppeKeys;
import io.vpngateway.gateway.auth.radius.NasContext;
import io.vpngateway.gateway.auth.radius.RadiusClient;
import io.vpngateway.gateway.auth.radius.RadiusServerEndpoint;
import io.vpngateway.gateway.auth.radius.RadiusServerHealth;
import io.vpngateway.gateway.auth.radius.RadiusSettings;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.testing.Prerequisites;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EAP relay between test EAP peers and a real FreeRADIUS (the {@code eapol_test} round trip
 * with the gateway in the middle): EAP-MSCHAPv2 and EAP-TLS reach Access-Accept through it, and
 * the MPPE keys the relay decrypts are exactly those FreeRADIUS printed in its Access-Accept (and,
 * for MS-CHAPv2, those the peer derives on its side, RFC 3079).
 */
class EapRelayInteropTest {
  private static final String SECRET = "eap-lab-secret";
  private static final NasContext NAS =
      new NasContext("vpn/test", new InetSocketAddress("192.0.2.20", 4500), "ike-1", "IKEv2");

  @TempDir static Path dir;
  private static FreeRadiusServer radius;
  private static SSLContext clientTls;
  private static ExecutorService executor;
  private static EapRelay relay;

  @BeforeAll
  static void start() throws Exception {
    Prerequisites.requireBinary("freeradius");
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("eap-lab", KeySpec.EC_P256, now);
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "radius.lab", List.of("radius.lab"), List.of(), KeySpec.EC_P256, Duration.ofDays(2)), now);
    IssuedCertificate client = ca.issueClientCertificate(ClientCertificateRequest.of(
        "dave", List.of("engineering"), Duration.ofDays(2), KeySpec.EC_P256), now);
    Path certs = Files.createDirectories(dir.resolve("certs"));
    Files.writeString(certs.resolve("server.pem"), server.certificatePem());
    Files.writeString(certs.resolve("server.key"), server.privateKeyPem());
    Files.writeString(certs.resolve("ca.pem"), ca.certificatePem());
    radius = FreeRadiusServer.builder(dir).secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"")
        .eapTls(certs.resolve("server.pem"), certs.resolve("server.key"), certs.resolve("ca.pem"))
        .start();
    clientTls = clientContext(client, ca.certificate());
    executor = Executors.newFixedThreadPool(2);
    RadiusServerEndpoint endpoint = new RadiusServerEndpoint(radius.address(), radius.authPort(),
        radius.accountingPort(), SecretBytes.of(SECRET.getBytes(StandardCharsets.UTF_8)), 0,
        Duration.ofSeconds(5));
    RadiusSettings settings = new RadiusSettings(List.of(endpoint), 1,
        RadiusSettings.PasswordProtocol.PAP, GroupAttributeSelector.CLASS, "vpn/test", false);
    relay = new EapRelay(new RadiusClient(() -> settings, new RadiusServerHealth()), executor);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (radius != null) {
      radius.close();
    }
  }

  @Test
  void eapMsChapV2ThroughTheRelayGivesTheKeysFreeRadiusAndThePeerAgreeOn() throws Exception {
    EapMsChapV2Peer peer = new EapMsChapV2Peer("alice", "alice-pw");
    EapStep last = converse("alice", peer::respond);
    EapStep.Success success = assertInstanceOf(EapStep.Success.class, last, describe(last));
    assertEquals(EapPacket.SUCCESS, EapPacket.code(success.eapToPeer()));
    assertTrue(peer.serverProven, "the peer checked the server's MS-CHAPv2 authenticator response");
    assertEquals(List.of("engineering"), success.accept().groups());
    MppeKeys keys = success.accept().mppeKeys().orElseThrow();
    assertKeysAsReported(keys);
    // the gateway receives what the client sends
    assertArrayEquals(peer.clientSendKey(), Arrays.copyOf(keys.receiveKey(), 16));
    assertArrayEquals(peer.clientReceiveKey(), Arrays.copyOf(keys.sendKey(), 16));
  }

  @Test
  void eapMsChapV2WithAWrongPasswordFailsWithAnEapFailure() throws Exception {
    EapStep last = converse("alice", new EapMsChapV2Peer("alice", "wrong")::respond);
    EapStep.Failure failure = assertInstanceOf(EapStep.Failure.class, last, describe(last));
    assertEquals(EapPacket.FAILURE, EapPacket.code(failure.eapToPeer()));
    assertEquals("EapRejected", failure.reason());
  }

  @Test
  void eapTlsThroughTheRelayFragmentsBothWaysAndGivesTheKeysFreeRadiusReports() throws Exception {
    EapTlsTestPeer peer = new EapTlsTestPeer(clientTls);
    EapStep last = converse("dave", request -> {
      // EAP-TLS is not the server's default method: NAK MS-CHAPv2 and ask for TLS (type 3 = Nak)
      if (EapPacket.type(request).orElse(-1) == EapPacket.TYPE_MSCHAPV2) {
        return new byte[] {EapPacket.RESPONSE, (byte) EapPacket.identifier(request), 0, 6, 3,
            EapPacket.TYPE_TLS};
      }
      try {
        return peer.respond(request);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    EapStep.Success success = assertInstanceOf(EapStep.Success.class, last, describe(last));
    MppeKeys keys = success.accept().mppeKeys().orElseThrow();
    assertEquals(32, keys.receiveKey().length);
    assertEquals(32, keys.sendKey().length);
    assertKeysAsReported(keys);
    assertEquals(64, keys.msk().length);
  }

  @Test
  void aPeerPacketThatIsNotEapEndsTheConversationWithAFailureNotAnException() throws Exception {
    EapRelay.Conversation c = relay.start(NAS);
    EapStep step = c.relay(new byte[] {2, 0, 0, 9, 1, 'a'}).get(10, TimeUnit.SECONDS);
    assertEquals("EapMalformed", assertInstanceOf(EapStep.Failure.class, step).reason());
  }

  private static EapStep converse(String identity, Function<byte[], byte[]> peer)
      throws Exception {
    EapRelay.Conversation c = relay.start(NAS);
    EapStep step = c.relay(EapPacket.identityResponse(0, identity)).get(20, TimeUnit.SECONDS);
    for (int round = 0; round < 40 && step instanceof EapStep.Continue k; round++) {
      step = c.relay(peer.apply(k.eapToPeer())).get(20, TimeUnit.SECONDS);
    }
    return step;
  }

  private static String describe(EapStep step) {
    return step instanceof EapStep.Failure f ? f.reason() + ": " + f.message() + "\n"
        + radius.output().lines().skip(Math.max(0, radius.output().lines().count() - 40))
            .reduce("", (a, b) -> a + "\n" + b) : String.valueOf(step);
  }

  /** The relay's decrypted keys equal the ones in FreeRADIUS's last printed Access-Accept. */
  private static void assertKeysAsReported(MppeKeys keys) {
    String out = radius.output();
    String tail = out.substring(out.lastIndexOf("Sent Access-Accept"));
    Map<String, String> reported = new java.util.HashMap<>();
    Matcher m = Pattern.compile("(MS-MPPE-(?:Send|Recv)-Key) = 0x([0-9a-f]+)").matcher(tail);
    while (m.find()) {
      reported.putIfAbsent(m.group(1), m.group(2));
    }
    assertEquals(reported.get("MS-MPPE-Send-Key"), HexFormat.of().formatHex(keys.sendKey()));
    assertEquals(reported.get("MS-MPPE-Recv-Key"), HexFormat.of().formatHex(keys.receiveKey()));
  }

  private static SSLContext clientContext(IssuedCertificate client, X509Certificate ca)
      throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] pw = "x".toCharArray();
    keys.setKeyEntry("client", client.privateKey(), pw,
        new X509Certificate[] {client.certificate(), ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pw);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.2");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
