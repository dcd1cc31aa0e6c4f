package io.vpngateway.gateway.auth.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.RadiusSettings.PasswordProtocol;
import io.vpngateway.gateway.auth.radius.crypto.MsChapV2;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.testing.Prerequisites;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RADIUS on the gateway's authentication seams, against a real FreeRADIUS: the password backend
 * in the pipeline (accept with groups, reject, challenge answered through the responder, no server
 * answering), certificate AND password required (either alone refused), and the EAP backend the
 * IKEv2 and SSTP servers call (EAP-MSCHAPv2 to Success with the 64-octet MSK).
 */
class RadiusBackendsInteropTest {
  private static final String SECRET = "seam-secret";
  private static final ClientInfo CLIENT = new ClientInfo(VpnProtocol.OpenVPN, "ovpn-7",
      new InetSocketAddress("192.0.2.7", 50000));

  @TempDir static Path dir;
  private static FreeRadiusServer freeRadius;
  private static RadiusService service;
  private static X509Certificate[] chain;

  @BeforeAll
  static void start() throws Exception {
    Prerequisites.requireBinary("freeradius");
    freeRadius = FreeRadiusServer.builder(dir).secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"")
        .challengeUser("carol", "carol-pw", "424242", "mfa")
        .start();
    service = RadiusService.of(RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1,
        RadiusTestSettings.endpoint(freeRadius, SECRET, Duration.ofSeconds(5), 0)));
    CertificateAuthority ca = CertificateAuthority.create("seam", KeySpec.EC_P256, Instant.now());
    chain = new X509Certificate[] {ca.issueClientCertificate(ClientCertificateRequest.of("alice",
        List.of(), Duration.ofDays(1), KeySpec.EC_P256), Instant.now()).certificate()};
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (freeRadius != null) {
      freeRadius.close();
    }
  }

  private static AuthenticationPipeline pipeline(boolean withCertificates, boolean requireBoth) {
    AuthenticationPipeline.Builder b = AuthenticationPipeline.builder()
        .password(new RadiusPasswordBackend(service))
        .eap(new RadiusEapBackend(service))
        .requireCertificateAndPassword(requireBoth);
    if (withCertificates) {
      b.certificates(c -> new ClientIdentity(c[0].getSubjectX500Principal().getName(), List.of(),
          AuthMethod.CERTIFICATE, "test CA", "ab12", List.of(c)));
    }
    return b.build();
  }

  private static AuthResult authenticate(AuthenticationPipeline p, boolean certificate,
      String user, String password) throws Exception {
    Optional<PasswordCredential> pw = user == null ? Optional.empty()
        : Optional.of(PasswordCredential.of(user, password));
    return p.authenticate(new ClientCredentials(CLIENT,
        certificate ? List.of(chain) : List.of(), pw)).toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void passwordBackendAcceptsWithGroupsRejectsAndReportsUnavailableServers() throws Exception {
    AuthenticationPipeline p = pipeline(false, false);
    ClientIdentity alice = assertInstanceOf(AuthResult.Accepted.class,
        authenticate(p, false, "alice", "alice-pw")).identity();
    assertEquals("alice", alice.name());
    assertEquals(List.of("engineering"), alice.groups());
    assertEquals(AuthMethod.RADIUS, alice.method());
    assertTrue(alice.source().contains(String.valueOf(freeRadius.authPort())), alice.source());

    assertEquals(RefusalReason.BAD_CREDENTIALS, assertInstanceOf(AuthResult.Refused.class,
        authenticate(p, false, "alice", "nope")).reason());

    try (RadiusService silent = RadiusService.of(RadiusTestSettings.settings(PasswordProtocol.PAP,
        "Class", 0, RadiusTestSettings.endpoint("127.0.0.1", 9, SECRET, Duration.ofMillis(200),
            0)))) {
      AuthResult r = AuthenticationPipeline.builder().password(new RadiusPasswordBackend(silent))
          .build().authenticate(new ClientCredentials(CLIENT, List.of(),
              Optional.of(PasswordCredential.of("alice", "alice-pw"))))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(RefusalReason.AUTH_SERVER_UNAVAILABLE,
          assertInstanceOf(AuthResult.Refused.class, r).reason());
    }
  }

  @Test
  void anAccessChallengeBecomesAChallengeWhoseAnswerAdmits() throws Exception {
    AuthenticationPipeline p = pipeline(false, false);
    AuthResult.Challenge c = assertInstanceOf(AuthResult.Challenge.class,
        authenticate(p, false, "carol", "carol-pw"));
    assertEquals("Enter the code from your token", c.prompt());
    AuthResult wrong = c.responder().respond(PasswordCredential.of("carol", "000000"))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(RefusalReason.BAD_CREDENTIALS,
        assertInstanceOf(AuthResult.Refused.class, wrong).reason());
    AuthResult.Challenge again = assertInstanceOf(AuthResult.Challenge.class,
        authenticate(p, false, "carol", "carol-pw"));
    AuthResult ok = again.responder().respond(PasswordCredential.of("carol", "424242"))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(List.of("mfa"),
        assertInstanceOf(AuthResult.Accepted.class, ok).identity().groups());
  }

  @Test
  void certificateAndPasswordRequiredRefusesEitherAlone() throws Exception {
    AuthenticationPipeline both = pipeline(true, true);
    assertTrue(both.requiresCertificateAndPassword());
    assertEquals(RefusalReason.CREDENTIALS_MISSING, assertInstanceOf(AuthResult.Refused.class,
        authenticate(both, true, null, null)).reason());
    assertEquals(RefusalReason.NO_CLIENT_CERTIFICATE, assertInstanceOf(AuthResult.Refused.class,
        authenticate(both, false, "alice", "alice-pw")).reason());
    assertEquals(RefusalReason.BAD_CREDENTIALS, assertInstanceOf(AuthResult.Refused.class,
        authenticate(both, true, "alice", "wrong")).reason());
    ClientIdentity id = assertInstanceOf(AuthResult.Accepted.class,
        authenticate(both, true, "alice", "alice-pw")).identity();
    assertEquals(AuthMethod.RADIUS, id.method());
    assertTrue(id.usedCertificate(), "the certificate stays bound, so revoking it ends the session");

    // without the requirement, either alone admits (Azure's behaviour)
    AuthenticationPipeline either = pipeline(true, false);
    assertInstanceOf(AuthResult.Accepted.class, authenticate(either, true, null, null));
    assertInstanceOf(AuthResult.Accepted.class, authenticate(either, false, "alice", "alice-pw"));
  }

  @Test
  void theEapBackendRelaysEapMsChapV2ToSuccessWithTheMsk() throws Exception {
    EapConversation c = pipeline(false, false).eap().orElseThrow()
        .start(new ClientInfo(VpnProtocol.IKEv2, "ike-9", new InetSocketAddress("192.0.2.9", 4500)),
            Optional.of("alice"));
    var peer = new io.vpngateway.gateway.auth.radius.eap.EapMsChapV2Peer("alice", "alice-pw");
    EapConversation.Step step = c.begin().toCompletableFuture().get(20, TimeUnit.SECONDS);
    for (int i = 0; i < 10 && step instanceof EapConversation.Step.Send s; i++) {
      step = c.receive(peer.respond(s.eapPacket())).toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    }
    EapConversation.Step.Success ok = assertInstanceOf(EapConversation.Step.Success.class, step);
    assertEquals(64, ok.msk().length());
    assertEquals(List.of("engineering"), ok.identity().groups());
    c.close();
  }

  /**
   * SSTP's MS-CHAPv2 (the gateway holds only the challenges and the NT-Response) checked by
   * FreeRADIUS through {@link RadiusMsChapV2Backend}: the accept carries the authenticator
   * response the client verifies and the server's MPPE keys the crypto binding is keyed by.
   */
  @Test
  void theMsChapV2BackendReturnsTheServersProofAndMppeKeys() throws Exception {
    RadiusMsChapV2Backend backend = new RadiusMsChapV2Backend(service);
    ClientInfo sstp =
        new ClientInfo(VpnProtocol.SSTP, "sstp-1", new InetSocketAddress("192.0.2.8", 40000));
    byte[] auth = new byte[16];
    byte[] peer = new byte[16];
    new java.security.SecureRandom().nextBytes(auth);
    new java.security.SecureRandom().nextBytes(peer);
    byte[] nt = MsChapV2.ntResponse(auth, peer, "alice", "alice-pw");
    var r = backend.authenticate(sstp,
        new io.vpngateway.gateway.auth.MsChapV2Authenticator.Response("alice", auth, peer, nt))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    var ok = assertInstanceOf(
        io.vpngateway.gateway.auth.MsChapV2Authenticator.Result.Accepted.class, r);
    assertEquals("alice", ok.identity().name());
    assertEquals(List.of("engineering"), ok.identity().groups());
    assertEquals(MsChapV2.authenticatorResponse("alice-pw", nt, peer, auth, "alice"),
        ok.authenticatorResponse());
    byte[] master = MsChapV2.masterKey("alice-pw", nt);
    assertArrayEquals(MsChapV2.asymmetricStartKey(master, true, true), ok.sendKey().bytes());
    assertArrayEquals(MsChapV2.asymmetricStartKey(master, false, true), ok.receiveKey().bytes());

    byte[] wrong = MsChapV2.ntResponse(auth, peer, "alice", "alice-pW");
    var no = assertInstanceOf(
        io.vpngateway.gateway.auth.MsChapV2Authenticator.Result.Refused.class,
        backend.authenticate(sstp,
            new io.vpngateway.gateway.auth.MsChapV2Authenticator.Response(
                "alice", auth, peer, wrong)).toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertEquals(RefusalReason.BAD_CREDENTIALS, no.reason());
  }
}
