package io.vpngateway.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  /** Any real certificate: the stand-in certificate authenticators do not look at it. */
  static final X509Certificate[] CHAIN = {
    io.vpngateway.api.pki.CertificateAuthority.create(
            "pipeline", io.vpngateway.api.pki.KeySpec.EC_P256, java.time.Instant.now())
        .certificate()
  };
  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  private static ClientInfo client(VpnProtocol protocol, String session) {
    return new ClientInfo(protocol, session, new InetSocketAddress("192.0.2.9", 40000));
  }

  private static ClientCredentials cert(ClientInfo client) {
    return ClientCredentials.certificate(client, CHAIN);
  }

  private Admission admission(int capacity) {
    AuthenticationPipeline pipeline =
        AuthenticationPipeline.builder()
            .certificates(
                chain -> {
                  if (chain.length == 0) {
                    throw new AuthenticationException(RefusalReason.UNTRUSTED_ISSUER, "x");
                  }
                  return ClientIdentity.of("alice", List.of(), AuthMethod.CERTIFICATE, "ca");
                })
            .build();
    return new Admission(pipeline, capacity, metrics);
  }

  private Optional<ConnectionSlot> admit(Admission a, VpnProtocol protocol, String session) {
    AdmissionAttempt attempt = a.begin(client(protocol, session));
    AuthResult r = attempt.authenticate(cert(attempt.client())).toCompletableFuture().join();
    Optional<ConnectionSlot> slot =
        attempt.reserve(assertInstanceOf(AuthResult.Accepted.class, r).identity());
    slot.ifPresent(s -> attempt.admitted());
    return slot;
  }

  @Test
  void oneBudgetOverAllProtocols() {
    Admission a = admission(2);
    ConnectionSlot openvpn = admit(a, VpnProtocol.OpenVPN, "o1").orElseThrow();
    admit(a, VpnProtocol.IKEv2, "i1").orElseThrow();
    assertTrue(admit(a, VpnProtocol.SSTP, "s1").isEmpty(), "the third client of any protocol");
    assertEquals(2, a.inUse());

    openvpn.release();
    openvpn.release(); // idempotent
    assertEquals(1, a.inUse());
    assertTrue(admit(a, VpnProtocol.SSTP, "s2").isPresent());

    assertEquals(1, metrics.handshakes(VpnProtocol.SSTP, "failed", "MaxConnectionsReached"));
    assertEquals(1, metrics.handshakes(VpnProtocol.SSTP, "ok", ""));
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));
    RefusalRecord refused = a.refusals().recent().get(0);
    assertEquals("SSTP", refused.protocol());
    assertEquals("MaxConnectionsReached", refused.reason());
    assertEquals("alice", refused.identity());
    assertEquals("192.0.2.9", refused.remote());
    assertEquals("s1", refused.session());
  }

  @Test
  void aProtocolRefusalAfterReservingGivesTheSlotBackAndIsReportedOnce() {
    Admission a = admission(1);
    AdmissionAttempt attempt = a.begin(client(VpnProtocol.OpenVPN, "o1"));
    AuthResult r = attempt.authenticate(cert(attempt.client())).toCompletableFuture().join();
    attempt.reserve(((AuthResult.Accepted) r).identity()).orElseThrow();
    assertEquals(1, a.inUse());

    attempt.refuse(RefusalReason.ADDRESS_POOL_EXHAUSTED, "no address");
    attempt.refuse(RefusalReason.INTERNAL_ERROR, "a second path");
    attempt.admitted();

    assertEquals(0, a.inUse());
    assertEquals(1, a.refusals().recent().size());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "AddressPoolExhausted"));
    assertEquals(0, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));
    assertTrue(attempt.isEnded());
  }

  @Test
  void anAuthenticationRefusalIsReportedByTheAttempt() {
    Admission a = admission(5);
    AdmissionAttempt attempt = a.begin(client(VpnProtocol.IKEv2, "i9"));
    AuthResult r =
        attempt
            .authenticate(
                new ClientCredentials(attempt.client(), List.of(), Optional.empty()))
            .toCompletableFuture()
            .join();
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE, assertInstanceOf(AuthResult.Refused.class, r).reason());
    assertTrue(attempt.isEnded());
    assertEquals(1, metrics.handshakes(VpnProtocol.IKEv2, "failed", "NoClientCertificate"));
    assertTrue(metrics.scrape().contains("vpngw_handshakes_total{protocol=\"IKEv2\",result=\"failed\",reason=\"NoClientCertificate\"} 1"), metrics.scrape());
  }

  @Test
  void theRefusalLogKeepsTheNewestOnly() {
    Admission a = admission(1);
    for (int i = 0; i < RefusalLog.CAPACITY + 5; i++) {
      a.report(client(VpnProtocol.OpenVPN, "o" + i), "bob", RefusalReason.IDENTITY_CHANGED, "m");
    }
    List<RefusalRecord> recent = a.refusals().recent();
    assertEquals(RefusalLog.CAPACITY, recent.size());
    assertEquals("o5", recent.get(0).session());
    assertEquals("o" + (RefusalLog.CAPACITY + 4), recent.get(recent.size() - 1).session());
  }
}
