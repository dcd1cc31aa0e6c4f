package io.vpngateway.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.testing.FakeSession;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The rules live sessions are held to after a reload ({@link Admission#rejudge}, {@link
 * Admission#endSessionsNoLongerAdmitted}, {@link AdmissionAttempt#requireLiveRules}): what IKEv2
 * and SSTP run on every reload, OpenVPN on every reload and at every renegotiation.
 */
class LiveSessionRulesTest {
  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  /** The running config's switches, as a reload sets them. */
  private boolean certificatesOn = true;
  private boolean radiusOn = true;
  private boolean requireBoth;
  private CompletableFuture<AuthResult> passwordAnswer = new CompletableFuture<>();

  private static final ClientIdentity CERTIFICATE_ALICE =
      new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "ca", "aa", null);
  private static final ClientIdentity RADIUS_BOB =
      ClientIdentity.of("bob", List.of("ops"), AuthMethod.RADIUS, "radius");

  private final Admission admission =
      new Admission(
          AuthenticationPipeline.builder()
              .certificates(chain -> CERTIFICATE_ALICE, () -> certificatesOn)
              .password(
                  new PasswordAuthenticator() {
                    @Override
                    public boolean active() {
                      return radiusOn;
                    }

                    @Override
                    public CompletableFuture<AuthResult> authenticate(
                        Optional<PasswordCredential> credential, ClientInfo client) {
                      return passwordAnswer;
                    }
                  })
              .requireCertificateAndPassword(() -> requireBoth)
              .build(),
          100,
          metrics);

  private FakeSession live(String id, VpnProtocol protocol, ClientIdentity who, String inner) {
    FakeSession s = new FakeSession(id, protocol, who, inner);
    registry.register(s);
    return s;
  }

  @Test
  void nothingChangedKeepsEverySessionUntouched() {
    FakeSession alice = live("ike-1", VpnProtocol.IKEv2, CERTIFICATE_ALICE, "10.9.0.2");
    FakeSession bob = live("ike-2", VpnProtocol.IKEv2, RADIUS_BOB, "10.9.0.3");

    assertEquals(0, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.IKEv2));

    assertNull(alice.closedReason());
    assertNull(bob.closedReason());
    assertEquals(2, registry.size());
    assertTrue(admission.refusals().recent().isEmpty());
  }

  @Test
  void certificateAuthenticationTurnedOffEndsTheCertificateSessionsOfThatProtocolOnly() {
    FakeSession ikeAlice = live("ike-1", VpnProtocol.IKEv2, CERTIFICATE_ALICE, "10.9.0.2");
    FakeSession ikeBob = live("ike-2", VpnProtocol.IKEv2, RADIUS_BOB, "10.9.0.3");
    FakeSession sstpAlice = live("sstp-1", VpnProtocol.SSTP, CERTIFICATE_ALICE, "10.9.0.4");
    certificatesOn = false; // the reload

    assertEquals(1, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.IKEv2));

    assertTrue(ikeAlice.closedReason().contains("CredentialsMissing"), ikeAlice.closedReason());
    assertNull(ikeBob.closedReason()); // a password login stands without the certificate
    assertNull(sstpAlice.closedReason()); // SSTP's server judges its own sessions
    assertEquals(List.of("ike-2", "sstp-1"), ids());
    RefusalRecord reported = admission.refusals().recent().get(0);
    assertEquals("CredentialsMissing", reported.reason());
    assertEquals("alice", reported.identity());
    assertEquals("ike-1", reported.session());
  }

  @Test
  void aCertificateAndAPasswordRequiredEndsEveryOneCredentialSession() {
    FakeSession alice = live("sstp-1", VpnProtocol.SSTP, CERTIFICATE_ALICE, "10.9.0.2");
    FakeSession bob = live("sstp-2", VpnProtocol.SSTP, RADIUS_BOB, "10.9.0.3");
    FakeSession both =
        live(
            "sstp-3",
            VpnProtocol.SSTP,
            RADIUS_BOB.alsoProvenBy(CERTIFICATE_ALICE).withGroups(List.of("ops")),
            "10.9.0.5");
    requireBoth = true;

    assertEquals(2, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.SSTP));

    assertTrue(alice.closedReason().contains("CredentialsMissing"), alice.closedReason());
    assertTrue(bob.closedReason().contains("NoClientCertificate"), bob.closedReason());
    assertNull(both.closedReason());
  }

  @Test
  void radiusTurnedOffOnACertificateGatewayEndsThePasswordSessions() {
    FakeSession alice = live("ike-1", VpnProtocol.IKEv2, CERTIFICATE_ALICE, "10.9.0.2");
    FakeSession bob = live("ike-2", VpnProtocol.IKEv2, RADIUS_BOB, "10.9.0.3");
    radiusOn = false;

    assertEquals(1, admission.endSessionsNoLongerAdmitted(registry, VpnProtocol.IKEv2));

    assertNull(alice.closedReason());
    assertTrue(bob.closedReason().contains("NoClientCertificate"), bob.closedReason());
  }

  /** A password backend of one method, on while {@code on[0]} is true. */
  private static PasswordAuthenticator backend(AuthMethod method, boolean[] on) {
    return new PasswordAuthenticator() {
      @Override
      public AuthMethod method() {
        return method;
      }

      @Override
      public boolean active() {
        return on[0];
      }

      @Override
      public CompletableFuture<AuthResult> authenticate(
          Optional<PasswordCredential> credential, ClientInfo client) {
        return new CompletableFuture<>();
      }
    };
  }

  @Test
  void radiusTurnedOffWhereOnlyOidcIsLeftEndsTheRadiusSessionsNotTheOidcOnes() {
    boolean[] radius = {true};
    boolean[] oidc = {true};
    boolean[] certificates = {false};
    Admission oidcAndRadius =
        new Admission(
            AuthenticationPipeline.builder()
                .certificates(chain -> CERTIFICATE_ALICE, () -> certificates[0])
                .password(backend(AuthMethod.OIDC, oidc))
                .password(backend(AuthMethod.RADIUS, radius))
                .build(),
            100,
            metrics);
    FakeSession bob = live("ike-1", VpnProtocol.IKEv2, RADIUS_BOB, "10.9.0.2");
    FakeSession carol =
        live(
            "ike-2",
            VpnProtocol.IKEv2,
            ClientIdentity.of("carol", List.of("ops"), AuthMethod.OIDC, "https://idp"),
            "10.9.0.3");
    assertEquals(0, oidcAndRadius.endSessionsNoLongerAdmitted(registry, VpnProtocol.IKEv2));

    radius[0] = false; // the reload: an OIDC-only gateway, no certificate authentication

    assertEquals(1, oidcAndRadius.endSessionsNoLongerAdmitted(registry, VpnProtocol.IKEv2));
    assertTrue(bob.closedReason().contains("CredentialsMissing"), bob.closedReason());
    assertNull(carol.closedReason()); // its method is still on
    assertEquals(List.of("ike-2"), ids());
  }

  @Test
  void aRadiusLoginThatAlsoProvedACertificateStandsOnItWhenRadiusIsTurnedOff() {
    boolean[] radius = {true};
    boolean[] oidc = {true};
    Admission gateway =
        new Admission(
            AuthenticationPipeline.builder()
                .certificates(chain -> CERTIFICATE_ALICE, () -> true)
                .password(backend(AuthMethod.OIDC, oidc))
                .password(backend(AuthMethod.RADIUS, radius))
                .requireCertificateAndPassword(() -> requireBoth)
                .build(),
            100,
            metrics);
    FakeSession both =
        live("sstp-1", VpnProtocol.SSTP, RADIUS_BOB.alsoProvenBy(CERTIFICATE_ALICE), "10.9.0.2");
    radius[0] = false;
    assertEquals(0, gateway.endSessionsNoLongerAdmitted(registry, VpnProtocol.SSTP));

    requireBoth = true; // OIDC is still on: a certificate and a password still checked are needed
    assertEquals(1, gateway.endSessionsNoLongerAdmitted(registry, VpnProtocol.SSTP));
    assertTrue(both.closedReason().contains("CredentialsMissing"), both.closedReason());
  }

  @Test
  void rejudgeIsTheDecisionAndReportsOnlyARefusal() {
    ClientInfo client =
        new ClientInfo(VpnProtocol.OpenVPN, "ovpn-1", new InetSocketAddress("192.0.2.9", 1194));
    assertNull(admission.rejudge(client, CERTIFICATE_ALICE));
    assertTrue(admission.refusals().recent().isEmpty());

    certificatesOn = false;
    assertEquals(RefusalReason.CREDENTIALS_MISSING, admission.rejudge(client, CERTIFICATE_ALICE));
    assertNull(admission.rejudge(client, RADIUS_BOB));
    assertEquals(1, admission.refusals().recent().size());
  }

  @Test
  void aLoginUnderWayWhenTheReloadLandedIsHeldToTheNewRules() {
    AdmissionAttempt attempt =
        admission.begin(
            new ClientInfo(VpnProtocol.SSTP, "sstp-9", new InetSocketAddress("192.0.2.9", 443)));
    CompletableFuture<AuthResult> outcome =
        attempt
            .authenticate(
                new ClientCredentials(
                    attempt.client(),
                    List.of(),
                    Optional.of(PasswordCredential.of("bob", "secret"))))
            .toCompletableFuture();
    radiusOn = false; // the reload lands while RADIUS answers
    passwordAnswer.complete(AuthResult.accepted(RADIUS_BOB));
    ClientIdentity accepted = assertInstanceOf(AuthResult.Accepted.class, outcome.join()).identity();

    AuthenticationException refused =
        assertThrows(AuthenticationException.class, () -> attempt.requireLiveRules(accepted));

    assertEquals(RefusalReason.NO_CLIENT_CERTIFICATE, refused.reason());
    assertTrue(attempt.isEnded());
    assertEquals(Optional.empty(), attempt.reserve(accepted)); // no connection taken after it
    assertEquals(0, admission.inUse());
    assertEquals("bob", admission.refusals().recent().get(0).identity());
  }

  private List<String> ids() {
    return registry.all().stream().map(s -> s.id()).sorted().toList();
  }
}
