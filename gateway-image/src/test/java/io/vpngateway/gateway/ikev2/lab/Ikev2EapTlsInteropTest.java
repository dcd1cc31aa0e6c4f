package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EAP-TLS end to end with real peers: strongSwan's charon authenticates the gateway by its
 * certificate and itself with EAP-TLS ({@code auth = eap-tls}, the certificate {@code vpngw issue}
 * gave it), which {@code vpngw serve} relays to a real FreeRADIUS 3.2 whose {@code eap} module runs
 * TLS against the gateway's client CA and CRL; the MSK from FreeRADIUS's MPPE keys keys both AUTH
 * payloads (RFC 7296 §2.16, RFC 5216 §2.3). A revoked certificate (in the CRL FreeRADIUS reads)
 * and one from an unknown CA are refused by FreeRADIUS: EAP-Failure, no tunnel, {@code
 * EapFailure} in {@code GET /refusals}.
 */
class Ikev2EapTlsInteropTest {
  private static final String SECRET = "radius-shared-secret-for-the-eap-tls-test";
  private static final String RADIUS_NAME = "radius.lab";
  private static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: ikeeaptls
        namespace: default
      spec:
        protocols: [IKEv2]
        clientAddressPools:
          - cidr: 10.207.0.0/24
        routing:
          routes: [%BACKEND%]
        authentication:
          certificate:
            builtInCa: true
          radius:
            servers:
              - address: 127.0.0.1
                secretRef: {name: radius-secret}
            timeout: 10s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %SECRET%
      """;

  @Test
  void eapTlsThroughFreeRadiusAndRevokedOrUnknownCertificatesRefused() throws Exception {
    Prerequisites.requireBinary("freeradius");
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start("ikeeaptls", "10.98.83.0/24", "10.98.84.0/24",
            GATEWAY.replace("%SECRET%", SECRET), c -> c)) {
      NetnsLab lab = ikev2.lab();
      Path dave = ikev2.issue("dave", "dave@lab.example", "ECDSA", List.of());
      Path mallory = ikev2.issue("mallory", "mallory@lab.example", "ECDSA", List.of());
      assertEquals(0, Vpngw.run("revoke", "mallory", "--state-dir", ikev2.stateDir().toString()));
      // FreeRADIUS's EAP-TLS server: a certificate of the gateway's CA for radius.lab; client CA
      // = the gateway's CA with its CRL appended (check_crl reads CRLs from the same file)
      StateDirectory state = StateDirectory.open(ikev2.stateDir());
      CertificateAuthority ca = state.certificateAuthority();
      IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
          RADIUS_NAME, List.of(RADIUS_NAME), List.of(), KeySpec.EC_P256, Duration.ofDays(2)),
          Instant.now());
      Path certs = Files.createDirectories(lab.workDir().resolve("radius-certs"));
      Files.writeString(certs.resolve("server.pem"), server.certificatePem());
      Files.writeString(certs.resolve("server.key"), server.privateKeyPem());
      Files.writeString(certs.resolve("client-ca.pem"), ca.certificatePem()
          + Files.readString(ikev2.stateDir().resolve(state.config().files().crl())));
      try (FreeRadiusServer radius =
          FreeRadiusServer.builder(lab.workDir())
              .in(lab.gateway())
              .listen("127.0.0.1")
              .clients("127.0.0.1")
              .secret(SECRET)
              .eapTls(certs.resolve("server.pem"), certs.resolve("server.key"),
                  certs.resolve("client-ca.pem"))
              .checkCrl()
              .start();
          StrongSwanClient client = StrongSwanClient.start(lab.client(),
              lab.workDir().resolve("charon-dave"), "dave")) {
        client.installProfile(dave);
        client.writeConfig(eapTlsClient(client.config(), "dave@lab.example", RADIUS_NAME));
        client.loadAll();
        client.connect("ikeeaptls", ikev2.gateway());
        client.charon().awaitLine("EAP method EAP_TLS succeeded, MSK established",
            Duration.ofSeconds(1));
        // FreeRADIUS ran the TLS handshake and accepted the certificate of the gateway's CA
        radius.awaitOutput("Sent Access-Accept", Duration.ofSeconds(5));
        assertTrue(radius.output().contains("MS-MPPE-Recv-Key"), "the MSK came from FreeRADIUS");
        PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 5);
        assertTrue(ping.received() >= 4, "ping through the tunnel:\n" + ping.output());
        IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
        assertTrue(iperf.bitsPerSecond() > 1e6, "iperf3 through the tunnel: " + iperf);
        assertTrue(ikev2.vpngw("sessions").matches("(?s).*IKEv2\\s+10\\.207\\.0\\.\\d+.*"),
            "an IKEv2 session from the pool");
        assertTrue(client.terminate("ikeeaptls").ok());
        Wait.until("the session gone", Duration.ofSeconds(10),
            () -> !ikev2.vpngw("sessions").contains("IKEv2"));

        // mallory's certificate is in the CRL FreeRADIUS checks: EAP-Failure, no tunnel
        client.installProfile(mallory);
        client.writeConfig(eapTlsClient(client.config(), "mallory@lab.example", RADIUS_NAME));
        assertRefused(ikev2, radius, client, "certificate revoked");

        // a certificate of a CA nobody trusts, with a name the gateway knows
        CertificateAuthority rogue =
            CertificateAuthority.create("rogue", KeySpec.EC_P256, Instant.now());
        IssuedCertificate forged = rogue.issueClientCertificate(ClientCertificateRequest.of(
            "dave@lab.example", List.of(), Duration.ofDays(2), KeySpec.EC_P256), Instant.now());
        Files.writeString(client.dir().resolve("x509/client.crt"), forged.certificatePem());
        Files.writeString(client.dir().resolve("private/client.key"), forged.privateKeyPem());
        client.writeConfig(eapTlsClient(client.config(), "dave@lab.example", RADIUS_NAME));
        assertRefused(ikev2, radius, client, "unable to get (local )?issuer certificate");
      }
    }
  }

  private static final String LOCAL_GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: ikelocaltls
        namespace: default
      spec:
        protocols: [IKEv2]
        clientAddressPools:
          - cidr: 10.208.0.0/24
          - cidr: 10.209.0.0/24
            groups: [engineering]
            priority: 10
        routing:
          routes: [%BACKEND%]
        authentication:
          certificate:
            builtInCa: true
      """;

  /**
   * No RADIUS: the gateway runs EAP-TLS itself and judges the certificate with its own trust.
   * strongSwan 5.9.8's TLS stack does not negotiate the extended master secret (RFC 7627), so the
   * gateway derives no MSK for it and refuses its valid certificate with a reason that says so
   * (the success path, revocation of a live EAP-TLS session included, is proven with pppd's
   * OpenSSL-based EAP-TLS in SstpEapTlsInteropTest). The trust decisions are the gateway's: a
   * revoked certificate is refused CertificateRevoked and one of an unknown CA UntrustedIssuer,
   * each with EAP-Failure to the client and no tunnel.
   */
  @Test
  void eapTlsAgainstTheGatewaysOwnTrust() throws Exception {
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start("ikelocaltls", "10.98.85.0/24", "10.98.86.0/24", LOCAL_GATEWAY, c -> c)) {
      NetnsLab lab = ikev2.lab();
      Path erin = ikev2.issue("erin", "erin@lab.example", "ECDSA", List.of("engineering"));
      Path frank = ikev2.issue("frank", "frank@lab.example", "ECDSA", List.of("engineering"));
      assertEquals(0, Vpngw.run("revoke", "frank", "--state-dir", ikev2.stateDir().toString()));
      try (StrongSwanClient client = StrongSwanClient.start(lab.client(),
          lab.workDir().resolve("charon-erin"), "erin")) {
        client.installProfile(erin);
        client.writeConfig(eapTlsClient(client.config(), "erin@lab.example", null));
        JsonNode refusal = refusedLocally(ikev2, client, "EapFailure");
        assertTrue(refusal.path("message").asText().contains("extended master secret"),
            refusal.toString());
        // strongSwan got as far as the gateway's TLS server certificate and sent its own
        assertTrue(client.charon().output().contains("sending TLS client certificate"),
            client.charon().tail());

        client.installProfile(frank);
        client.writeConfig(eapTlsClient(client.config(), "frank@lab.example", null));
        refusedLocally(ikev2, client, "CertificateRevoked");

        CertificateAuthority rogue =
            CertificateAuthority.create("rogue", KeySpec.EC_P256, Instant.now());
        IssuedCertificate forged = rogue.issueClientCertificate(ClientCertificateRequest.of(
            "erin@lab.example", List.of("engineering"), Duration.ofDays(2), KeySpec.EC_P256),
            Instant.now());
        client.installProfile(erin);
        Files.writeString(client.dir().resolve("x509/client.crt"), forged.certificatePem());
        Files.writeString(client.dir().resolve("private/client.key"), forged.privateKeyPem());
        client.writeConfig(eapTlsClient(client.config(), "erin@lab.example", null));
        refusedLocally(ikev2, client, "UntrustedIssuer");
      }
    }
  }

  /** The client's IKE_AUTH ends in EAP-Failure, refused for {@code reason}; that refusal. */
  private static JsonNode refusedLocally(Ikev2Lab ikev2, StrongSwanClient client, String reason)
      throws Exception {
    NetnsLab lab = ikev2.lab();
    int failures = count(client.charon().output(), "received EAP_FAILURE");
    client.loadAll();
    ExecResult result = client.initiate("ikelocaltls");
    assertFalse(result.output().contains("initiate completed successfully"), result.output());
    assertTrue(client.charon().output().contains("server requested EAP_TLS authentication"),
        "the gateway ran EAP-TLS:\n" + client.charon().tail());
    Wait.until("the client receiving EAP-Failure", Duration.ofSeconds(10),
        () -> count(client.charon().output(), "received EAP_FAILURE") > failures,
        () -> client.charon().tail());
    JsonNode[] found = new JsonNode[1];
    Wait.until("a " + reason + " refusal in GET /refusals", Duration.ofSeconds(10),
        () -> {
          for (JsonNode r : ikev2.refusals()) {
            if (r.path("reason").asText().equals(reason)
                && r.path("protocol").asText().equals("IKEv2")
                && r.path("remote").asText().contains(lab.clientAddress())) {
              found[0] = r;
            }
          }
          return found[0] != null;
        },
        () -> ikev2.gateway().tail());
    assertFalse(ikev2.vpngw("sessions").contains("IKEv2"), "no session");
    PingResult none = lab.ping(lab.client(), lab.backendAddress(), 2);
    assertEquals(0, none.received(), "no tunnel:\n" + none.output());
    return found[0];
  }

  /**
   * The client's IKE_AUTH ends in EAP-Failure after FreeRADIUS refused its certificate for
   * {@code radiusReason}; no session, no tunnel, one more EapFailure refusal.
   */
  private static void assertRefused(Ikev2Lab ikev2, FreeRadiusServer radius,
      StrongSwanClient client, String radiusReason) throws Exception {
    NetnsLab lab = ikev2.lab();
    int before = eapFailures(ikev2.refusals(), lab.clientAddress());
    int rejects = count(radius.output(), "Sent Access-Reject");
    client.loadAll();
    ExecResult result = client.initiate("ikeeaptls");
    assertFalse(result.output().contains("initiate completed successfully"), result.output());
    Wait.until("FreeRADIUS refusing the certificate (" + radiusReason + ")",
        Duration.ofSeconds(20),
        () -> count(radius.output(), "Sent Access-Reject") > rejects
            && radius.output().matches("(?s).*" + radiusReason + ".*"),
        () -> radius.output().lines().skip(Math.max(0, radius.output().lines().count() - 30))
            .reduce("", (a, b) -> a + "\n" + b));
    assertTrue(client.charon().output().contains("received EAP_FAILURE"),
        "the client got EAP-Failure:\n" + client.charon().tail());
    Wait.until("one more EapFailure in GET /refusals", Duration.ofSeconds(10),
        () -> eapFailures(ikev2.refusals(), lab.clientAddress()) > before,
        () -> ikev2.gateway().tail());
    assertFalse(ikev2.vpngw("sessions").contains("IKEv2"), "no session after EAP-Failure");
    PingResult none = lab.ping(lab.client(), lab.backendAddress(), 2);
    assertEquals(0, none.received(), "no tunnel after EAP-Failure:\n" + none.output());
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  private static int eapFailures(JsonNode refusals, String remote) {
    int n = 0;
    for (JsonNode r : refusals) {
      if (r.path("reason").asText().equals("EapFailure")
          && r.path("protocol").asText().equals("IKEv2")
          && r.path("remote").asText().contains(remote)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The profile's connection with EAP-TLS as the local authentication: the issued certificate,
   * {@code eapId} as the EAP identity (strongSwan would send a DN identity DER-encoded; an e-mail
   * address in the certificate's subjectAltName is printable), and {@code aaaId} as the identity
   * the EAP-TLS server's certificate must carry (the RADIUS server's; null: the gateway's).
   */
  static String eapTlsClient(String profile, String eapId, String aaaId) {
    String local = "local {\n      auth = eap-tls\n      certs = client.crt\n"
        + "      eap_id = \"" + eapId + "\"\n"
        + (aaaId == null ? "" : "      aaa_id = \"" + aaaId + "\"\n") + "    }";
    return profile
        .replaceAll("(?s)local \\{.*?\\}", local)
        .replaceAll("(?s)\\n#? ?secrets \\{.*", "\n");
  }
}
