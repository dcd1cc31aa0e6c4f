package io.vpngateway.gateway.sstp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.sstp.crypto.SstpHashProtocol;
import io.vpngateway.gateway.sstp.lab.SstpTestClient;
import io.vpngateway.gateway.sstp.lab.TestAllocator;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import io.vpngateway.gateway.sstp.ppp.session.PppAuthMethod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PPP EAP relayed to the gateway's EAP backend (the pipeline's {@link EapAuthenticator}, RADIUS in
 * production; here a scripted backend running a toy one-round method): LCP asks for EAP, the
 * peer's packets reach the backend and its requests the peer, EAP-Success ends authentication,
 * the crypto binding is checked with the HLAK from the MSK (the MS-SSTP layout, and the one sstpc
 * computes from pppd's 16-octet MPPE keys), a Failure is reported with the backend's reason.
 */
class SstpEapRelayTest {
  static final Duration STEP = Duration.ofSeconds(10);
  static final byte[] MSK = new byte[64];

  static {
    for (int i = 0; i < 64; i++) {
      MSK[i] = (byte) (0xa0 + i);
    }
  }

  private final SessionRegistry registry = new SessionRegistry();
  private Admission admission;
  private SstpServer server;
  private InetSocketAddress address;

  /** Identity, then one request of an experimental type (254) answered with the token. */
  static final class TokenEap implements EapAuthenticator {
    @Override
    public EapConversation start(ClientInfo client, Optional<String> hint) {
      return new EapConversation() {
        private String name;

        @Override
        public CompletionStage<Step> begin() {
          return done(new Step.Send(new byte[] {1, 1, 0, 5, 1}));
        }

        @Override
        public CompletionStage<Step> receive(byte[] p) {
          if (p[1] == 1) {
            name = new String(p, 5, p.length - 5, StandardCharsets.UTF_8);
            return done(new Step.Send(new byte[] {1, 2, 0, 5, (byte) 254}));
          }
          String token = new String(p, 5, p.length - 5, StandardCharsets.UTF_8);
          if (token.equals("token-of-" + name)) {
            // a "cert-" name stands for an EAP-TLS login (a certificate identity with its hash)
            return done(
                new Step.Success(
                    new byte[] {3, 2, 0, 4},
                    SecretBytes.of(MSK),
                    name.startsWith("cert-")
                        ? new ClientIdentity(
                            name, List.of("eap"), AuthMethod.CERTIFICATE, "test", "aa", null)
                        : ClientIdentity.of(name, List.of("eap"), AuthMethod.RADIUS, "test")));
          }
          return done(
              new Step.Failure(new byte[] {4, 2, 0, 4}, RefusalReason.EAP_FAILURE, "bad token"));
        }

        @Override
        public void close() {}
      };
    }

    private static CompletionStage<EapConversation.Step> done(EapConversation.Step s) {
      return CompletableFuture.completedFuture(s);
    }
  }

  @BeforeEach
  void start() throws Exception {
    start(AuthenticationPipeline.builder().eap(new TokenEap()).build());
  }

  private void start(AuthenticationPipeline pipeline) throws Exception {
    admission = new Admission(pipeline, 10, new GatewayMetrics(registry));
    var pki = SstpTestPki.get();
    server =
        new SstpServer(
            SstpServerSettings.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(pki.server.certificate()),
                pki.server.privateKey(),
                List.of("TLSv1.3", "TLSv1.2"),
                List.of(PppAuthMethod.EAP),
                List.of(),
                10),
            admission,
            new TestAllocator(10),
            registry,
            a -> p -> {});
    address = server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] answer(byte[] request, String name, String token) {
    byte[] data = (request[4] == 1 ? name : token).getBytes(StandardCharsets.UTF_8);
    byte[] r = new byte[5 + data.length];
    r[0] = 2;
    r[1] = request[1];
    r[3] = (byte) r.length;
    r[4] = request[4];
    System.arraycopy(data, 0, r, 5, data.length);
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ms-sstp", "sstpc"})
  void eapSuccessAndABindingFromTheMsk(String layout) throws Exception {
    try (SstpTestClient c = new SstpTestClient(address)) {
      c.callConnect(STEP);
      var lcp = c.ppp.openLcp(STEP);
      assertTrue(
          lcp.stream().anyMatch(o -> o.type() == 3 && Arrays.equals(o.data(), new byte[] {
              (byte) 0xc2, 0x27})),
          "LCP asks for EAP");
      assertTrue(c.ppp.eap(r -> answer(r, "erin", "token-of-erin"), STEP));
      c.ppp.openIpcp(STEP);
      // client keys such that the client HLAK (send | receive) is the layout under test
      byte[] send = Arrays.copyOfRange(MSK, 0, 16);
      byte[] receive =
          layout.equals("sstpc") ? Arrays.copyOfRange(MSK, 32, 48) : Arrays.copyOfRange(MSK, 16, 32);
      c.callConnected(SstpHashProtocol.SHA1, c.serverCertificateHash(SstpHashProtocol.SHA1),
          c.nonce(), send, receive);
      await().atMost(STEP).until(() -> registry.size() == 1);
      assertEquals("erin", registry.all().iterator().next().identity().name());
      assertEquals(List.of("eap"), registry.all().iterator().next().identity().groups());
    }
  }

  /**
   * requireCertificateAndPassword (certificate + OIDC, no RADIUS, the local EAP-TLS server as the
   * EAP backend): one EAP method proves one credential, so SSTP refuses EAP as IKEv2 does.
   */
  @Test
  void eapAloneIsRefusedWhereACertificateAndAPasswordAreRequired() throws Exception {
    server.close();
    start(
        AuthenticationPipeline.builder()
            .certificates(
                chain -> ClientIdentity.of("erin", List.of("eng"), AuthMethod.CERTIFICATE, "ca"))
            .password(
                (credential, client) ->
                    CompletableFuture.completedFuture(
                        AuthResult.refused(RefusalReason.BAD_CREDENTIALS, "no")))
            .eap(new TokenEap())
            .requireCertificateAndPassword(true)
            .build());
    try (SstpTestClient c = new SstpTestClient(address)) {
      c.callConnect(STEP);
      c.ppp.openLcp(STEP);
      assertFalse(c.ppp.eap(r -> answer(r, "erin", "token-of-erin"), STEP));
    }
    await().atMost(STEP).until(() -> !admission.refusals().recent().isEmpty());
    assertEquals("NoClientCertificate", admission.refusals().recent().get(0).reason());
    assertEquals(0, registry.size());
  }

  /** RADIUS in the running config (its password backend's {@code active}); a reload turns it off. */
  private volatile boolean radiusOn = true;

  /** A certificate gateway with RADIUS, as {@code runtime/Authentications} builds it. */
  private void startWithCertificatesAndRadius() throws Exception {
    server.close();
    start(
        AuthenticationPipeline.builder()
            .certificates(
                chain -> ClientIdentity.of("x", List.of(), AuthMethod.CERTIFICATE, "ca"), () -> true)
            .password(
                new io.vpngateway.gateway.auth.PasswordAuthenticator() {
                  @Override
                  public boolean active() {
                    return radiusOn;
                  }

                  @Override
                  public CompletableFuture<AuthResult> authenticate(
                      Optional<io.vpngateway.gateway.auth.PasswordCredential> credential,
                      ClientInfo client) {
                    return CompletableFuture.completedFuture(
                        AuthResult.refused(RefusalReason.BAD_CREDENTIALS, "no"));
                  }
                })
            .eap(new TokenEap())
            .build());
  }

  private SstpTestClient connected(String name) throws Exception {
    SstpTestClient c = new SstpTestClient(address);
    c.callConnect(STEP);
    c.ppp.openLcp(STEP);
    assertTrue(c.ppp.eap(r -> answer(r, name, "token-of-" + name), STEP));
    c.ppp.openIpcp(STEP);
    c.callConnected(SstpHashProtocol.SHA1, c.serverCertificateHash(SstpHashProtocol.SHA1),
        c.nonce(), Arrays.copyOfRange(MSK, 0, 16), Arrays.copyOfRange(MSK, 16, 32));
    await().atMost(STEP).until(() -> registry.byId(idOf(name)).isPresent());
    return c;
  }

  private String idOf(String name) {
    return registry.all().stream()
        .filter(s -> s.identity().name().equals(name))
        .map(s -> s.id())
        .findFirst()
        .orElse("none");
  }

  /**
   * A reload that turns RADIUS off on a certificate gateway (what SstpProtocolServer.apply runs):
   * the RADIUS login's session ends with Call Disconnect and a refusal; the EAP-TLS one (a
   * certificate identity) is left alone.
   */
  @Test
  void aReloadThatNoLongerAdmitsASessionEndsItWithCallDisconnectAndKeepsTheOthers()
      throws Exception {
    startWithCertificatesAndRadius();
    try (SstpTestClient erin = connected("erin");
        SstpTestClient carl = connected("cert-carl")) {
      String carlId = idOf("cert-carl");
      radiusOn = false; // the reload

      assertEquals(1, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.SSTP));

      assertTrue(erin.awaitControl(STEP).type() == SstpMessageType.CALL_DISCONNECT
          || erin.isClosedByServer(STEP));
      assertEquals(List.of(carlId), registry.all().stream().map(s -> s.id()).toList());
      assertEquals("NoClientCertificate", admission.refusals().recent().get(0).reason());
      assertEquals("erin", admission.refusals().recent().get(0).identity());
      assertEquals(0, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.SSTP));
      assertTrue(carl.control.isEmpty(), "no control message to carl: " + carl.control);
    }
  }

  /** An EAP login under way when the reload lands is held to the new rules: not admitted. */
  @Test
  void aLoginUnderWayWhenTheReloadLandsIsHeldToTheNewRules() throws Exception {
    startWithCertificatesAndRadius();
    try (SstpTestClient c = new SstpTestClient(address)) {
      c.callConnect(STEP);
      c.ppp.openLcp(STEP);
      c.ppp.eap(
          r -> {
            if (r[4] != 1) {
              radiusOn = false; // the reload, while the method runs
            }
            return answer(r, "erin", "token-of-erin");
          },
          STEP);
      assertTrue(c.isClosedByServer(STEP) || c.awaitControl(STEP).type()
          == SstpMessageType.CALL_DISCONNECT);
    }
    await().atMost(STEP).until(() -> !admission.refusals().recent().isEmpty());
    assertEquals("NoClientCertificate", admission.refusals().recent().get(0).reason());
    assertEquals(0, registry.size());
    assertEquals(0, admission.inUse());
  }

  @ParameterizedTest
  @ValueSource(strings = {"token-of-someone-else"})
  void eapFailureIsReportedWithTheBackendsReason(String token) throws Exception {
    try (SstpTestClient c = new SstpTestClient(address)) {
      c.callConnect(STEP);
      c.ppp.openLcp(STEP);
      assertFalse(c.ppp.eap(r -> answer(r, "erin", token), STEP));
      assertTrue(c.isClosedByServer(STEP) || c.awaitControl(STEP).type()
          == SstpMessageType.CALL_DISCONNECT);
    }
    await().atMost(STEP).until(() -> !admission.refusals().recent().isEmpty());
    assertEquals("EapFailure", admission.refusals().recent().get(0).reason());
    assertEquals(0, registry.size());
  }
}
