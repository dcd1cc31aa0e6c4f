package io.vpngateway.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.token.AuthTokens;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's rules, with stand-in authenticators: a certificate authenticator that accepts the
 * chain whose (fake) leaf is {@code null}-free, a password backend that records its calls.
 */
class AuthenticationPipelineTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final ClientInfo CLIENT =
      new ClientInfo(VpnProtocol.OpenVPN, "ovpn-1", new InetSocketAddress("192.0.2.7", 1194));

  /** Any real certificate: the stand-in certificate authenticators do not look at it. */
  static final X509Certificate[] CHAIN = {
    io.vpngateway.api.pki.CertificateAuthority.create(
            "pipeline", io.vpngateway.api.pki.KeySpec.EC_P256, java.time.Instant.now())
        .certificate()
  };
  private static final ClientIdentity ALICE_CERT =
      new ClientIdentity(
          "alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=ca", "ab12", List.of());

  private final AuthTokens tokens = new AuthTokens(new byte[32], Duration.ofHours(1));
  private final List<String> passwordsChecked = new ArrayList<>();

  private final CertificateAuthenticator acceptsAlice = chain -> ALICE_CERT;
  private final CertificateAuthenticator refusesAll =
      chain -> {
        throw new AuthenticationException(RefusalReason.CERTIFICATE_REVOKED, "revoked");
      };

  private final PasswordAuthenticator radiusLike =
      (credential, client) -> {
        passwordsChecked.add(credential.orElseThrow().passwordText());
        return CompletableFuture.completedFuture(
            credential.get().passwordText().equals("right")
                ? AuthResult.accepted(
                    ClientIdentity.of(
                        credential.get().username(), List.of("vpn"), AuthMethod.RADIUS, "r1"))
                : AuthResult.refused(RefusalReason.BAD_CREDENTIALS, "Access-Reject"));
      };

  private AuthResult run(AuthenticationPipeline p, boolean cert, String password) {
    ClientCredentials offered =
        new ClientCredentials(
            CLIENT,
            cert ? List.of(CHAIN) : List.of(),
            password == null
                ? Optional.empty()
                : Optional.of(PasswordCredential.of("alice", password)));
    return p.authenticate(offered).toCompletableFuture().join();
  }

  private AuthenticationPipeline.Builder builder() {
    return AuthenticationPipeline.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static RefusalReason refusal(AuthResult r) {
    return assertInstanceOf(AuthResult.Refused.class, r).reason();
  }

  private static ClientIdentity accepted(AuthResult r) {
    return assertInstanceOf(AuthResult.Accepted.class, r).identity();
  }

  @Test
  void certificateOnlyGatewayIgnoresAPasswordOnPurpose() {
    AuthenticationPipeline p = builder().certificates(acceptsAlice).build();
    assertEquals(ALICE_CERT, accepted(run(p, true, "anything")));
    assertEquals(ALICE_CERT, accepted(run(p, true, null)));
    assertEquals(RefusalReason.NO_CLIENT_CERTIFICATE, refusal(run(p, false, "anything")));
    assertFalse(p.checksPasswords());
    assertFalse(p.certificateOptional());
  }

  @Test
  void aRefusedCertificateIsTheAnswerWhateverElseWasOffered() {
    AuthenticationPipeline p = builder().certificates(refusesAll).password(radiusLike).build();
    assertEquals(RefusalReason.CERTIFICATE_REVOKED, refusal(run(p, true, "right")));
    assertEquals(List.of(), passwordsChecked, "no backend call for a refused certificate");
  }

  @Test
  void aPasswordIsCheckedWhereABackendIsConfiguredAndItsIdentityKeepsTheCertificate() {
    AuthenticationPipeline p = builder().certificates(acceptsAlice).password(radiusLike).build();
    assertEquals(RefusalReason.BAD_CREDENTIALS, refusal(run(p, true, "wrong")));
    ClientIdentity both = accepted(run(p, true, "right"));
    assertEquals(AuthMethod.RADIUS, both.method());
    assertEquals(List.of("vpn"), both.groups(), "the password backend's groups select the pool");
    assertEquals("ab12", both.certificateSha256(), "revoking the certificate still ends it");
    ClientIdentity passwordOnly = accepted(run(p, false, "right"));
    assertFalse(passwordOnly.usedCertificate());
    assertEquals(ALICE_CERT, accepted(run(p, true, null)), "any configured method may be used");
    assertEquals(List.of("wrong", "right", "right"), passwordsChecked);
  }

  @Test
  void noCredentialAtAllIsCredentialsMissingWhenPasswordsAreAccepted() {
    AuthenticationPipeline p = builder().password(radiusLike).build();
    assertEquals(RefusalReason.CREDENTIALS_MISSING, refusal(run(p, false, null)));
    assertEquals(
        RefusalReason.CREDENTIALS_MISSING,
        refusal(run(p, true, null)),
        "a certificate is ignored where certificate authentication is off");
    assertTrue(p.certificateOptional());
  }

  @Test
  void ourAuthTokensReplaceThePasswordAndMustBelongToTheCertificate() {
    AuthenticationPipeline p =
        builder().certificates(acceptsAlice).password(radiusLike).authTokens(tokens).build();
    String alices = tokens.issue("alice", List.of("vpn"), NOW);
    ClientIdentity withCertificate = accepted(run(p, true, alices));
    assertEquals(AuthMethod.AUTH_TOKEN, withCertificate.method(), "a password proven before");
    assertEquals(List.of("vpn"), withCertificate.groups(), "the password login's groups");
    assertEquals("ab12", withCertificate.certificateSha256(), "bound to the certificate shown");
    ClientIdentity byToken = accepted(run(p, false, alices));
    assertEquals(AuthMethod.AUTH_TOKEN, byToken.method());
    assertEquals(List.of("vpn"), byToken.groups());
    assertEquals(
        RefusalReason.AUTH_TOKEN_INVALID, refusal(run(p, true, tokens.issue("bob", NOW))));
    String forged = alices.substring(0, alices.length() - 2) + "xx";
    assertEquals(RefusalReason.AUTH_TOKEN_INVALID, refusal(run(p, false, forged)));
    String expired = tokens.issue("alice", NOW.minus(Duration.ofHours(2)));
    assertEquals(RefusalReason.AUTH_TOKEN_EXPIRED, refusal(run(p, false, expired)));
    assertEquals(List.of(), passwordsChecked, "tokens never reach the password backend");
  }

  @Test
  void onACertificateOnlyGatewayTheLocalEapServerDoesNotMakeTheCertificateOptional() {
    EapAuthenticator localEapTls = (client, hint) -> {
      throw new AssertionError("OpenVPN never starts EAP");
    };
    AuthenticationPipeline p =
        builder().certificates(acceptsAlice).eap(localEapTls).authTokens(tokens).build();
    assertFalse(p.certificateOptional(), "OpenVPN's TLS must require the client certificate");
    assertTrue(
        builder().certificates(acceptsAlice).eap(localEapTls).password(radiusLike).build()
            .certificateOptional(),
        "a password backend admits clients without a certificate");
    String alices = tokens.issue("alice", NOW);
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE,
        refusal(run(p, false, alices)),
        "a token pushed before (the certificate since revoked) does not replace the certificate");
    assertEquals(ALICE_CERT, accepted(run(p, true, alices)), "with the certificate it still works");
  }

  @Test
  void oneEapOrMsChapV2ConversationAloneIsRefusedWhereBothCredentialsAreRequired()
      throws Exception {
    EapAuthenticator eap = (client, hint) -> null;
    MsChapV2Authenticator msChapV2 = (client, response) -> null;
    AuthenticationPipeline.Builder b =
        builder().certificates(acceptsAlice).password(radiusLike).eap(eap).msChapV2(msChapV2);
    assertEquals(eap, b.build().eapAlone());
    assertEquals(msChapV2, b.build().msChapV2Alone());
    AuthenticationPipeline both = b.requireCertificateAndPassword(true).build();
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE,
        assertThrows(AuthenticationException.class, both::eapAlone).reason());
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE,
        assertThrows(AuthenticationException.class, both::msChapV2Alone).reason());
    assertEquals(
        RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
        assertThrows(AuthenticationException.class, () -> builder().build().eapAlone()).reason());
  }

  @Test
  void anExpiredTokenOnACertificateOnlyGatewayIsIgnoredLikeAnyPassword() {
    AuthenticationPipeline p = builder().certificates(acceptsAlice).authTokens(tokens).build();
    String expired = tokens.issue("alice", NOW.minus(Duration.ofHours(2)));
    assertEquals(ALICE_CERT, accepted(run(p, true, expired)));
  }

  @Test
  void backendFailuresAreInternalErrorsNotExceptions() {
    PasswordAuthenticator broken =
        (credential, client) -> CompletableFuture.failedFuture(new IllegalStateException("boom"));
    PasswordAuthenticator throwing =
        (credential, client) -> {
          throw new IllegalStateException("bug");
        };
    assertEquals(
        RefusalReason.INTERNAL_ERROR,
        refusal(run(builder().password(broken).build(), false, "x")));
    assertEquals(
        RefusalReason.INTERNAL_ERROR,
        refusal(run(builder().password(throwing).build(), false, "x")));
  }

  @Test
  void aChallengeAnswerAndAPendingOutcomeKeepTheCertificateToo() {
    CompletableFuture<AuthResult> login = new CompletableFuture<>();
    PasswordAuthenticator challenging =
        (credential, client) ->
            CompletableFuture.completedFuture(
                new AuthResult.Challenge(
                    "OTP?",
                    true,
                    Duration.ofSeconds(60),
                    answer ->
                        CompletableFuture.completedFuture(
                            AuthResult.accepted(
                                ClientIdentity.of("alice", List.of("otp"), AuthMethod.RADIUS, "r"))
                        )));
    AuthResult.Challenge c =
        assertInstanceOf(
            AuthResult.Challenge.class,
            run(builder().certificates(acceptsAlice).password(challenging).build(), true, "pw"));
    ClientIdentity answered =
        accepted(c.responder().respond(PasswordCredential.of("alice", "123456"))
            .toCompletableFuture().join());
    assertEquals("ab12", answered.certificateSha256());

    PasswordAuthenticator webLogin =
        new PasswordAuthenticator() {
          @Override
          public boolean handles(Optional<PasswordCredential> credential, ClientInfo client) {
            return true;
          }

          @Override
          public CompletionStage<AuthResult> authenticate(
              Optional<PasswordCredential> credential, ClientInfo client) {
            return CompletableFuture.completedFuture(
                new AuthResult.Pending(
                    java.net.URI.create("https://idp.example/login"), Duration.ofMinutes(5), login));
          }
        };
    AuthResult.Pending pending =
        assertInstanceOf(
            AuthResult.Pending.class,
            run(builder().certificates(acceptsAlice).password(webLogin).build(), true, null));
    login.complete(
        AuthResult.accepted(ClientIdentity.of("alice@corp", List.of("sso"), AuthMethod.OIDC, "i")));
    ClientIdentity loggedIn = accepted(pending.outcome().toCompletableFuture().join());
    assertEquals("alice@corp", loggedIn.name());
    assertEquals("ab12", loggedIn.certificateSha256());
  }

  @Test
  void cancellingAPendingOutcomeBoundToACertificateReachesTheBackend() {
    CompletableFuture<AuthResult> login = new CompletableFuture<>();
    PasswordAuthenticator webLogin =
        (credential, client) ->
            CompletableFuture.completedFuture(
                new AuthResult.Pending(
                    java.net.URI.create("https://idp.example/login"), Duration.ofMinutes(5), login));
    AuthResult.Pending pending =
        assertInstanceOf(
            AuthResult.Pending.class,
            run(builder().certificates(acceptsAlice).password(webLogin).build(), true, "x"));
    assertNotSame(login, pending.outcome(), "the outcome is wrapped to keep the certificate");
    pending.outcome().toCompletableFuture().cancel(false); // the client gave up
    assertTrue(login.isCancelled(), "the backend can free its wait");
  }

  /**
   * A token stands in for a password only if the login that earned it proved one, judged under
   * the running config: a reload to certificate AND password, or one that turns certificate
   * authentication off, does not let a token pushed to a certificate-only session in.
   */
  @Test
  void aTokenEarnedByACertificateAloneNeverStandsInForAPasswordAfterAReload() {
    java.util.concurrent.atomic.AtomicBoolean radiusOn = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean certificatesOn =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicBoolean requireBoth =
        new java.util.concurrent.atomic.AtomicBoolean();
    PasswordAuthenticator radius =
        new PasswordAuthenticator() {
          @Override
          public boolean active() {
            return radiusOn.get();
          }

          @Override
          public CompletionStage<AuthResult> authenticate(
              Optional<PasswordCredential> credential, ClientInfo client) {
            return radiusLike.authenticate(credential, client);
          }
        };
    AuthenticationPipeline p =
        builder()
            .certificates(acceptsAlice, certificatesOn::get)
            .password(radius)
            .authTokens(tokens)
            .requireCertificateAndPassword(requireBoth::get)
            .build();
    Optional<Instant> none = Optional.empty();
    // what a certificate-only gateway pushed to its session
    String certificateOnly =
        tokens.issue("alice", List.of("eng"), NOW, none, AuthTokens.Proven.CERTIFICATE);
    String both = tokens.issue("alice", List.of("vpn"), NOW, none, AuthTokens.Proven.BOTH);
    assertEquals(ALICE_CERT, accepted(run(p, true, certificateOnly)));

    radiusOn.set(true);
    requireBoth.set(true);
    assertEquals(RefusalReason.CREDENTIALS_MISSING, refusal(run(p, true, certificateOnly)));
    ClientIdentity renewed = accepted(run(p, true, both));
    assertTrue(renewed.usedCertificate() && renewed.provedPassword(), "renewal still works");
    assertEquals(RefusalReason.NO_CLIENT_CERTIFICATE, refusal(run(p, false, both)));

    requireBoth.set(false); // either credential alone: a token never replaces the certificate
    assertEquals(RefusalReason.NO_CLIENT_CERTIFICATE, refusal(run(p, false, certificateOnly)));
    assertEquals(ALICE_CERT, accepted(run(p, true, certificateOnly)));

    certificatesOn.set(false);
    assertEquals(RefusalReason.CREDENTIALS_MISSING, refusal(run(p, false, certificateOnly)));
    assertEquals(RefusalReason.CREDENTIALS_MISSING, refusal(run(p, true, certificateOnly)));
    assertEquals(AuthMethod.AUTH_TOKEN, accepted(run(p, false, both)).method());
    assertEquals(List.of(), passwordsChecked, "tokens never reach the password backend");
  }

  /** What a login accepted earlier must still have under the running config. */
  @Test
  void theLiveRulesHoldAnEarlierLoginToWhatTheConfigRequiresNow() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean certificatesOn =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicBoolean requireBoth =
        new java.util.concurrent.atomic.AtomicBoolean();
    AuthenticationPipeline p =
        builder()
            .certificates(acceptsAlice, certificatesOn::get)
            .password(radiusLike)
            .requireCertificateAndPassword(requireBoth::get)
            .build();
    ClientIdentity password = ClientIdentity.of("alice", List.of("vpn"), AuthMethod.RADIUS, "r");
    ClientIdentity both = password.alsoProvenBy(ALICE_CERT);
    for (ClientIdentity id : List.of(ALICE_CERT, password, both)) {
      p.requireLiveRules(id);
    }
    requireBoth.set(true);
    assertEquals(
        RefusalReason.CREDENTIALS_MISSING,
        assertThrows(AuthenticationException.class, () -> p.requireLiveRules(ALICE_CERT))
            .reason());
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE,
        assertThrows(AuthenticationException.class, () -> p.requireLiveRules(password)).reason());
    p.requireLiveRules(both);
    requireBoth.set(false);
    certificatesOn.set(false);
    assertThrows(AuthenticationException.class, () -> p.requireLiveRules(ALICE_CERT));
    p.requireLiveRules(password);
    AuthenticationPipeline certificateOnly = builder().certificates(acceptsAlice).build();
    assertThrows(AuthenticationException.class, () -> certificateOnly.requireLiveRules(password));
    certificateOnly.requireLiveRules(ALICE_CERT);
  }
}
