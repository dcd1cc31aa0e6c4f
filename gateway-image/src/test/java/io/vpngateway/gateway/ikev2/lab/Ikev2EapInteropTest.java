package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * EAP-MSCHAPv2 end to end with real peers: strongSwan's charon authenticates the gateway by its
 * certificate and itself with EAP-MSCHAPv2 ({@code auth = eap-mschapv2}), which the gateway relays
 * to a real FreeRADIUS 3.2 (in the gateway's namespace, as a cluster RADIUS service would be); the
 * MSK from FreeRADIUS's MPPE keys keys both AUTH payloads (RFC 7296 §2.16). The RADIUS Class picks
 * the client's pool. A wrong password gets EAP-Failure and no tunnel.
 */
class Ikev2EapInteropTest {
  private static final String SECRET = "radius-shared-secret-for-the-ikev2-test";
  private static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: ikeeap
        namespace: default
      spec:
        protocols: [IKEv2]
        clientAddressPools:
          - cidr: 10.205.0.0/24
          - cidr: 10.206.0.0/24
            groups: [engineering]
            priority: 10
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
  void eapMschapv2ThroughFreeRadius() throws Exception {
    Prerequisites.requireBinary("freeradius");
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start("ikeeap", "10.98.81.0/24", "10.98.82.0/24",
            GATEWAY.replace("%SECRET%", SECRET), c -> c)) {
      NetnsLab lab = ikev2.lab();
      try (FreeRadiusServer radius =
          FreeRadiusServer.builder(lab.workDir())
              .in(lab.gateway())
              .listen("127.0.0.1")
              .clients("127.0.0.1")
              .secret(SECRET)
              .user("alice", "alice-pw", "Class = \"engineering\"")
              .start()) {
        // a certificate holder's profile, its local side turned into an EAP user: the gateway's
        // identity, CA and proposals stay what the profile says
        Path issued = ikev2.issue("unused", "ECDSA", List.of());
        try (StrongSwanClient alice = StrongSwanClient.start(lab.client(),
                lab.workDir().resolve("charon-alice"), "alice")) {
          alice.installProfile(issued);
          alice.writeConfig(eapClient(alice.config(), "alice", "alice-pw"));
          alice.loadAll();
          alice.connect("ikeeap", ikev2.gateway());
          alice.charon().awaitLine("EAP method EAP_MSCHAPV2 succeeded, MSK established",
              Duration.ofSeconds(1));
          String sas = alice.listSas();
          assertTrue(sas.contains("10.206.0."), "the engineering pool, from Class:\n" + sas);
          PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 5);
          assertTrue(ping.received() >= 4, "ping through the tunnel:\n" + ping.output());
          IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
          assertTrue(iperf.bitsPerSecond() > 1e6, "iperf3 through the tunnel: " + iperf);
          String sessions = ikev2.vpngw("sessions");
          assertTrue(sessions.matches("(?s).*alice\\s+IKEv2\\s+10\\.206\\.0\\.\\d+.*"), sessions);
          assertTrue(alice.terminate("ikeeap").ok());

          // a wrong password: EAP-Failure, no tunnel
          alice.writeConfig(eapClient(alice.config(), "alice", "not-her-password"));
          alice.loadAll();
          ExecResult wrong = alice.initiate("ikeeap");
          assertFalse(wrong.output().contains("initiate completed successfully"), wrong.output());
          alice.charon().awaitLine("received EAP_FAILURE", Duration.ofSeconds(10));
          radius.awaitOutput("Sent Access-Reject", Duration.ofSeconds(5));
          // the typed refusal in GET /refusals: IKEv2, EapFailure, the remote client
          AtomicReference<JsonNode> found = new AtomicReference<>();
          Wait.until("an EapFailure refusal in GET /refusals", Duration.ofSeconds(10),
              () -> {
                found.set(eapFailure(ikev2.refusals(), lab.clientAddress()));
                return found.get() != null;
              },
              () -> ikev2.gateway().tail());
          JsonNode refusal = found.get();
          assertEquals("IKEv2", refusal.path("protocol").asText(), refusal.toString());
          assertFalse(refusal.toString().contains("not-her-password"), "no secret in " + refusal);
          assertFalse(ikev2.vpngw("sessions").contains("alice"), "no session after EAP-Failure");
          PingResult none = lab.ping(lab.client(), lab.backendAddress(), 2);
          assertEquals(0, none.received(), "no tunnel after EAP-Failure:\n" + none.output());
        }
      }
    }
  }

  /** The IKEv2 EapFailure refusal of {@code remote} in a GET /refusals array, or null. */
  private static JsonNode eapFailure(JsonNode refusals, String remote) {
    for (JsonNode r : refusals) {
      if (r.path("reason").asText().equals("EapFailure")
          && r.path("protocol").asText().equals("IKEv2")
          && r.path("remote").asText().contains(remote)) {
        return r;
      }
    }
    return null;
  }

  /** The profile's connection with EAP-MSCHAPv2 as the local authentication. */
  static String eapClient(String profile, String user, String password) {
    String conf =
        profile
            .replaceAll("(?s)local \\{.*?\\}", "local {\n      auth = eap-mschapv2\n      eap_id = \""
                + user + "\"\n    }")
            .replaceAll("(?s)\\nsecrets \\{.*", "\n");
    return conf
        + "secrets {\n  eap-user {\n    id = \"" + user + "\"\n    secret = \"" + password
        + "\"\n  }\n}\n";
  }
}
