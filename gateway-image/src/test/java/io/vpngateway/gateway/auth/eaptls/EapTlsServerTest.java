package io.vpngateway.gateway.auth.eaptls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.pki.Thumbprints;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.EapConversation.Step;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.eap.EapPacket;
import io.vpngateway.gateway.auth.radius.eap.EapTlsTestPeer;
import io.vpngateway.gateway.tls.ServerTlsContext;
import io.vpngateway.testing.Prerequisites;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own EAP-TLS server against a JDK EAP-TLS peer (fragmenting both ways): the client
 * certificate is judged by the gateway's {@link CertificateAuthenticator} (here one that trusts
 * one CA), a refusal carries that authenticator's reason, a Nak is AuthMethodNotSupported, and
 * broken input ends the conversation with EAP-Failure instead of an exception. The real clients
 * (strongSwan's eap-tls, pppd's EAP-TLS) are in the IKEv2 and SSTP lab tests.
 *
 * <p>Tagged {@code java25}: the build runs it on the Java 25 JVM (gateway-image/pom.xml), whose
 * RFC 5705 exporter gives the MSK.
 */
@Tag("java25")
class EapTlsServerTest {
  private static final ClientInfo CLIENT =
      new ClientInfo(VpnProtocol.IKEv2, "s-1", new InetSocketAddress("192.0.2.7", 4500));
  private static CertificateAuthority ca;
  private static ServerTlsContext serverTls;
  private static SSLContext daveTls;
  private static SSLContext rogueTls;

  @BeforeAll
  static void pki() throws Exception {
    Instant now = Instant.now();
    ca = CertificateAuthority.create("eap-tls-test", KeySpec.EC_P256, now);
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "vpn.example", List.of("vpn.example"), List.of(), KeySpec.EC_P256, Duration.ofDays(2)),
        now);
    serverTls = ServerTlsContext.create(List.of(server.certificate(), ca.certificate()),
        server.privateKey(), "TLSv1.2", List.of(), ServerTlsContext.ClientCertificates.REQUIRED);
    daveTls = clientContext(ca.issueClientCertificate(ClientCertificateRequest.of(
        "dave", List.of("engineering"), Duration.ofDays(2), KeySpec.EC_P256), now),
        ca.certificate());
    CertificateAuthority rogue = CertificateAuthority.create("rogue", KeySpec.EC_P256, now);
    rogueTls = clientContext(rogue.issueClientCertificate(ClientCertificateRequest.of(
        "dave", List.of(), Duration.ofDays(2), KeySpec.EC_P256), now), ca.certificate());
  }

  /** Trusts certificates issued by the test CA; what the gateway's PKIX trust does in full. */
  private static ClientIdentity trustTestCa(X509Certificate[] chain)
      throws AuthenticationException {
    try {
      chain[0].verify(ca.certificate().getPublicKey());
    } catch (Exception e) {
      throw new AuthenticationException(RefusalReason.UNTRUSTED_ISSUER, "not issued by the CA");
    }
    return new ClientIdentity("dave", List.of("engineering"), AuthMethod.CERTIFICATE, "test CA",
        Thumbprints.sha256(chain[0]), List.of(chain));
  }

  private static EapTlsServer server() {
    return new EapTlsServer(() -> serverTls, EapTlsServerTest::trustTestCa, Runnable::run);
  }

  @Test
  void aCertificateOfTheTrustedCaGetsSuccessWithTheMskTheClientDerives() throws Exception {
    Prerequisites.require(
        EapTlsServer.available(),
        "this JVM (Java "
            + Runtime.version().feature()
            + ") has no TLS key exporter: the java25 surefire execution runs this class on Java 25"
            + " when one is installed (scripts/install-java25.sh)");
    EapTlsTestPeer peer = new EapTlsTestPeer(daveTls);
    Step last = converse(server().start(CLIENT, Optional.empty()), peer, true);
    Step.Success ok = assertInstanceOf(Step.Success.class, last, String.valueOf(last));
    assertEquals(EapPacket.SUCCESS, EapPacket.code(ok.eapSuccess()));
    assertEquals("dave", ok.identity().name());
    assertTrue(ok.identity().usedCertificate(), "the identity carries the certificate");
    assertEquals(ok.identity().certificateSha256(),
        Thumbprints.sha256(ok.identity().certificateChain().get(0)));
    byte[] clientMsk = (byte[]) javax.net.ssl.ExtendedSSLSession.class
        .getMethod("exportKeyingMaterialData", String.class, byte[].class, int.class)
        .invoke(peer.session(), "client EAP encryption", null, 64);
    assertArrayEquals(clientMsk, ok.msk().bytes(), "RFC 5216 MSK on both sides");
  }

  @Test
  void aCertificateOfAnotherCaIsRefusedWithTheTrustsReason() throws Exception {
    Step last = converse(server().start(CLIENT, Optional.of("dave")), new EapTlsTestPeer(rogueTls),
        false);
    Step.Failure no = assertInstanceOf(Step.Failure.class, last, String.valueOf(last));
    assertEquals(RefusalReason.UNTRUSTED_ISSUER, no.reason());
    assertEquals(EapPacket.FAILURE, EapPacket.code(no.eapFailure()));
  }

  @Test
  void aNakIsAuthMethodNotSupported() throws Exception {
    EapConversation c = server().start(CLIENT, Optional.empty());
    Step.Send identity = (Step.Send) c.begin().toCompletableFuture().get();
    Step.Send start = (Step.Send) c.receive(EapPacket.identityResponse(
        EapPacket.identifier(identity.eapPacket()), "dave")).toCompletableFuture().get();
    byte[] nak = {EapPacket.RESPONSE, (byte) EapPacket.identifier(start.eapPacket()), 0, 6, 3, 26};
    Step.Failure no = assertInstanceOf(Step.Failure.class,
        c.receive(nak).toCompletableFuture().get());
    assertEquals(RefusalReason.AUTH_METHOD_NOT_SUPPORTED, no.reason());
  }

  @Test
  void brokenInputEndsWithEapFailureNotAnException() throws Exception {
    byte[][] bad = {
        {2, 1, 0, 9, 13},                      // length beyond the packet
        {2, 7, 0, 6, 13, 0},                   // wrong identifier
        {1, 1, 0, 6, 13, 0},                   // a Request from the client
        {2, 1, 0, 10, 13, (byte) 0x80, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // 2 GiB
        {2, 1, 0, 15, 13, 0, 0x16, 3, 3, 0, 4, (byte) 0xff, 0, 0, 0}, // an unknown handshake
    };
    for (byte[] packet : bad) {
      EapConversation c = server().start(CLIENT, Optional.of("dave"));
      c.begin().toCompletableFuture().get();
      Step step = c.receive(packet).toCompletableFuture().get(10, TimeUnit.SECONDS);
      Step.Failure no =
          assertInstanceOf(Step.Failure.class, step, java.util.Arrays.toString(packet));
      assertEquals(EapPacket.FAILURE, EapPacket.code(no.eapFailure()));
    }
  }

  private static Step converse(EapConversation c, EapTlsTestPeer peer, boolean askIdentity)
      throws Exception {
    Step step = c.begin().toCompletableFuture().get();
    if (askIdentity) {
      Step.Send request = assertInstanceOf(Step.Send.class, step);
      assertEquals(EapPacket.TYPE_IDENTITY, EapPacket.type(request.eapPacket()).orElseThrow());
      step = c.receive(EapPacket.identityResponse(EapPacket.identifier(request.eapPacket()),
          "dave")).toCompletableFuture().get();
    }
    for (int round = 0; round < 60 && step instanceof Step.Send s; round++) {
      step = c.receive(peer.respond(s.eapPacket())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return step;
  }

  private static SSLContext clientContext(IssuedCertificate client, X509Certificate trusted)
      throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] pw = "x".toCharArray();
    keys.setKeyEntry("client", client.privateKey(), pw,
        new X509Certificate[] {client.certificate(), client.caCertificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pw);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trusted);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.2");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
