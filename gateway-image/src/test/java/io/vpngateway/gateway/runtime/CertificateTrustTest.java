package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.ReloadOutcome;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.FakeSession;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateTrustTest {
  @TempDir Path dir;

  @Test
  void reloadEndsOnlyTheRevokedClientsSessions() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    CertificateAuthority ca = state.certificateAuthority();
    IssuedCertificate alice = issue(ca, "alice");
    IssuedCertificate bob = issue(ca, "bob");
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust = new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    CertificateAuthenticator openvpn = trust.authenticator();
    FakeSession aliceSession = connect(openvpn, registry, alice, "s1", "10.200.0.2");
    FakeSession bobSession = connect(openvpn, registry, bob, "s2", "10.200.0.3");

    assertTrue(state.revoke(ca, alice.certificate().getSerialNumber(), Instant.now()));
    ReloadOutcome outcome = source.reload();

    assertEquals(ReloadOutcome.Result.APPLIED, outcome.result(), outcome.message());
    assertEquals("CertificateRevoked", aliceSession.closedReason());
    assertNull(bobSession.closedReason(), "an unaffected session must keep running");
    assertEquals(List.of("s2"), registry.all().stream().map(s -> s.id()).toList());
    AuthenticationException refused =
        assertThrows(AuthenticationException.class, () -> openvpn.authenticate(chain(alice)));
    assertEquals(RefusalReason.CERTIFICATE_REVOKED, refused.reason());
  }

  @Test
  void revokedThumbprintInTheDocumentAlsoEndsTheSession() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    IssuedCertificate alice = issue(state.certificateAuthority(), "alice");
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust =
        new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    FakeSession session =
        connect(trust.authenticator(), registry, alice, "s1", "10.200.0.2");

    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "revokedThumbprints: []",
                "revokedThumbprints:\n    - name: alice-laptop\n      thumbprint: "
                    + alice.sha1Thumbprint()));
    source.reload();

    assertEquals("CertificateRevoked", session.closedReason());
  }

  @Test
  void aTrustedRootAddedByReloadAdmitsItsClientsToNewHandshakes() throws Exception {
    GatewayFixture.preparedState(dir);
    CertificateAuthority corp = CertificateAuthority.create("corp", KeySpec.EC_P256, Instant.now());
    IssuedCertificate carol = issue(corp, "carol");
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust =
        new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    CertificateAuthenticator openvpn = trust.authenticator();
    assertEquals(
        RefusalReason.UNTRUSTED_ISSUER,
        assertThrows(AuthenticationException.class, () -> openvpn.authenticate(chain(carol)))
            .reason());

    Files.writeString(dir.resolve("trusted-root-0.crt"), corp.certificatePem());
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("trustedRoots: []", "trustedRoots:\n    - trusted-root-0.crt"));
    assertEquals(ReloadOutcome.Result.APPLIED, source.reload().result());

    assertEquals("carol", openvpn.authenticate(chain(carol)).name());
  }

  @Test
  void aTrustedRootsGroupsSelectAPoolOnlyWhileTheConfigTrustsThem() throws Exception {
    GatewayFixture.preparedState(dir);
    CertificateAuthority corp = CertificateAuthority.create("corp", KeySpec.EC_P256, Instant.now());
    IssuedCertificate carol = issue(corp, "carol");
    Files.writeString(dir.resolve("trusted-root-0.crt"), corp.certificatePem());
    Path config = dir.resolve("config.yaml");
    String trustingGroups =
        Files.readString(config)
            .replace("trustedRoots: []", "trustedRoots:\n    - trusted-root-0.crt")
            .replace(
                "trustedRootsWithGroups: []",
                "trustedRootsWithGroups:\n    - trusted-root-0.crt");
    Files.writeString(config, trustingGroups);
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust = new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    FakeSession session = connect(trust.authenticator(), registry, carol, "s1", "10.200.0.2");
    assertEquals(List.of("engineering"), session.identity().groups());

    Files.writeString(
        config,
        trustingGroups.replace(
            "trustedRootsWithGroups:\n    - trusted-root-0.crt", "trustedRootsWithGroups: []"));
    assertEquals(ReloadOutcome.Result.APPLIED, source.reload().result());

    assertEquals("IdentityChanged", session.closedReason(), "its pool was chosen by those groups");
    assertEquals(List.of(), trust.authenticator().authenticate(chain(carol)).groups());
  }

  /**
   * Two connections with the same certificate: the second authenticates while the first is still
   * registered, the first leaves before the second registers. The second must still be re-checked
   * (and so ended) when the certificate is revoked.
   */
  @Test
  void aSessionWhoseTwinLeftBetweenItsHandshakeAndRegistrationIsStillRevoked() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    CertificateAuthority ca = state.certificateAuthority();
    IssuedCertificate alice = issue(ca, "alice");
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust =
        new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    CertificateAuthenticator openvpn = trust.authenticator();
    FakeSession first = connect(openvpn, registry, alice, "s1", "10.200.0.2");

    ClientIdentity secondIdentity = openvpn.authenticate(chain(alice));
    registry.unregister(first);
    FakeSession second = new FakeSession("s2", secondIdentity, "10.200.0.3");
    registry.register(second);
    assertTrue(state.revoke(ca, alice.certificate().getSerialNumber(), Instant.now()));
    assertEquals(ReloadOutcome.Result.APPLIED, source.reload().result());

    assertEquals("CertificateRevoked", second.closedReason());
    assertEquals(List.of(), registry.all());
  }

  /**
   * A reload that only adds CRL entries re-authenticates only the sessions the CRL lists (a hash
   * lookup for the others), which is what keeps {@code vpngw revoke} within seconds at 10,000
   * sessions; a reload that changes the anchors still re-checks every session.
   */
  @Test
  void aCrlReloadReChecksOnlyTheListedSessions() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    CertificateAuthority ca = state.certificateAuthority();
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust = new CertificateTrust(source.current(), registry);
    List<FakeSession> sessions = new java.util.ArrayList<>();
    List<IssuedCertificate> certs = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      certs.add(issue(ca, "user" + i));
      sessions.add(connect(trust.authenticator(), registry, certs.get(i), "s" + i,
          "10.200.0." + (2 + i)));
    }
    java.util.concurrent.atomic.AtomicInteger checked =
        new java.util.concurrent.atomic.AtomicInteger();
    RevocationEnforcer enforcer = new RevocationEnforcer(registry, chain -> {
      checked.incrementAndGet();
      return trust.authenticator().authenticate(chain);
    });
    assertTrue(state.revoke(ca, certs.get(7).certificate().getSerialNumber(), Instant.now()));
    source.reload(); // trust does not listen: the enforcer below is driven by hand
    io.vpngateway.gateway.auth.cert.TrustSnapshot after =
        CertificateTrust.snapshotOf(source.current());
    ((io.vpngateway.gateway.auth.cert.PkixCertificateAuthenticator) trust.authenticator())
        .update(after);

    assertEquals(1, enforcer.enforceListed(after));
    assertEquals(1, checked.get(), "only the listed session is re-authenticated");
    assertEquals("CertificateRevoked", sessions.get(7).closedReason());
    assertEquals(19, registry.all().size());
    assertEquals(0, enforcer.enforce());
    assertEquals(20, checked.get(), "a full pass re-authenticates every certificate session");
  }

  @Test
  void aCertificateSessionWithoutAKnownChainIsEndedOnTheReCheck() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    IssuedCertificate alice = issue(state.certificateAuthority(), "alice");
    IssuedCertificate bob = issue(state.certificateAuthority(), "bob");
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust =
        new CertificateTrust(source.current(), registry);
    FakeSession noChain = new FakeSession("s1", "alice", alice.sha256Thumbprint(), "10.200.0.2");
    ClientIdentity bobs = trust.authenticator().authenticate(chain(bob));
    FakeSession wrongChain =
        new FakeSession(
            "s2",
            new ClientIdentity(
                "alice",
                List.of(),
                AuthMethod.CERTIFICATE,
                "test",
                alice.sha256Thumbprint(),
                bobs.certificateChain()),
            "10.200.0.3");
    FakeSession radius =
        new FakeSession("s3", ClientIdentity.of("carol", List.of(), AuthMethod.RADIUS, "radius.test"), "10.200.0.4");
    FakeSession valid = new FakeSession("s4", bobs, "10.200.0.5");
    registry.register(noChain);
    registry.register(wrongChain);
    registry.register(radius);
    registry.register(valid);

    assertEquals(2, trust.enforce());

    assertEquals(RevocationEnforcer.CHAIN_UNKNOWN.code(), noChain.closedReason());
    assertEquals(RevocationEnforcer.CHAIN_UNKNOWN.code(), wrongChain.closedReason());
    assertNull(radius.closedReason(), "a session without a certificate is not re-checked");
    assertNull(valid.closedReason(), "a certificate that still passes keeps its session");
    assertEquals(List.of("s3", "s4"), registry.all().stream().map(s -> s.id()).sorted().toList());
  }

  private static IssuedCertificate issue(CertificateAuthority ca, String name) {
    return ca.issueClientCertificate(
        ClientCertificateRequest.of(
            name, List.of("engineering"), Duration.ofDays(30), KeySpec.EC_P256),
        Instant.now());
  }

  private static X509Certificate[] chain(IssuedCertificate issued) {
    return new X509Certificate[] {issued.certificate()};
  }

  private static FakeSession connect(
      CertificateAuthenticator authenticator,
      SessionRegistry registry,
      IssuedCertificate cert,
      String id,
      String address)
      throws AuthenticationException {
    ClientIdentity identity = authenticator.authenticate(chain(cert));
    FakeSession session = new FakeSession(id, identity, address);
    registry.register(session);
    return session;
  }
}
