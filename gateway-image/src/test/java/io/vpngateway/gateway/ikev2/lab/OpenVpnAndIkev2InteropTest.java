package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One gateway, both protocols at once: a real openvpn 2.6 client and a real strongSwan client
 * connect to the same {@code vpngw serve}, each gets its own address from the shared pools and
 * registry, and both tunnels carry traffic at the same time.
 *
 * <p>Both clients share the client namespace, so their routes are told apart: strongSwan's policy
 * routes (table 220, for the backend) win over the main table, where openvpn's topology subnet
 * reaches the gateway's own inner address.
 */
class OpenVpnAndIkev2InteropTest {
  private static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: both
        namespace: default
      spec:
        protocols: [OpenVPN, IKEv2]
        clientAddressPools:
          - cidr: 10.204.0.0/24
        routing:
          routes: [%BACKEND%]
      """;

  @Test
  void openVpnAndIkev2ClientsAtOnce() throws Exception {
    Prerequisites.requireBinary("openvpn");
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start("ovpnike", "10.98.79.0/24", "10.98.80.0/24", GATEWAY,
            c -> Ikev2Lab.withMaxConnections(c, 2))) {
      NetnsLab lab = ikev2.lab();
      Path alice = ikev2.issue("alice", "ECDSA", List.of("engineering"));
      Path bob = ikev2.issue("bob", "RSA", List.of("engineering"));
      LabProcess openvpn =
          lab.client()
              .start("openvpn", "openvpn", "--config", alice.resolve("client.ovpn").toString(),
                  "--verb", "3");
      openvpn.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(60));
      StrongSwanClient strongswan = ikev2.client("bob", bob);
      strongswan.connect("both", ikev2.gateway());

      String sessions = ikev2.vpngw("sessions");
      Matcher o = Pattern.compile("alice\\s+OpenVPN\\s+(10\\.204\\.0\\.\\d+)").matcher(sessions);
      Matcher i = Pattern.compile("bob\\s+IKEv2\\s+(10\\.204\\.0\\.\\d+)").matcher(sessions);
      assertTrue(o.find() && i.find(), sessions);
      assertNotEquals(o.group(1), i.group(1), "one pool, two addresses");

      // the backend through IKEv2, the gateway's inner address through OpenVPN, concurrently
      var ike = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> lab.ping(lab.client(), lab.backendAddress(), 10));
      PingResult ovpn = lab.ping(lab.client(), "10.204.0.1", 10);
      assertTrue(ovpn.received() >= 9, "OpenVPN tunnel:\n" + ovpn.output());
      assertTrue(ike.get().received() >= 9, "IKEv2 tunnel:\n" + ike.get().output());
      String route = lab.client().exec("ip", "route", "get", lab.backendAddress()).output();
      assertTrue(route.contains("ipsec0"), "the backend goes through the IKEv2 tunnel: " + route);

      // maxConnections 2 is one budget for both protocols: with an OpenVPN and an IKEv2 session
      // in it, a second OpenVPN client is refused ...
      Path carol = ikev2.issue("carol", "ECDSA", List.of("engineering"));
      LabProcess refusedCarol = openVpn(lab, "openvpn-carol", carol);
      String authFailed = refusedCarol.awaitLine("AUTH_FAILED", Duration.ofSeconds(60));
      assertTrue(authFailed.contains("MaxConnectionsReached"), authFailed);
      refusedCarol.close();
      awaitRefusal(ikev2, "OpenVPN", "carol");
      // ... and once the IKEv2 client left, its connection goes to OpenVPN, and IKEv2 is refused
      assertTrue(strongswan.terminate("both").ok());
      Wait.until("bob's session to end", Duration.ofSeconds(10),
          () -> !ikev2.vpngw("sessions").contains("bob"), () -> ikev2.gateway().tail());
      LabProcess carolIn = openVpn(lab, "openvpn-carol2", carol);
      carolIn.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(60));
      ExecResult bobAgain = strongswan.initiate("both");
      assertFalse(bobAgain.output().contains("initiate completed successfully"),
          bobAgain.output());
      strongswan.charon().awaitLine("AUTHENTICATION_FAILED", Duration.ofSeconds(10));
      awaitRefusal(ikev2, "IKEv2", "bob");
      String now = ikev2.vpngw("sessions");
      assertTrue(now.contains("alice") && now.contains("carol") && !now.contains("bob"), now);
    }
  }

  private static LabProcess openVpn(NetnsLab lab, String label, Path issued) {
    return lab.client()
        .start(label, "openvpn", "--config", issued.resolve("client.ovpn").toString(),
            "--verb", "3");
  }

  /** Waits for a MaxConnectionsReached refusal of {@code identity} in GET /refusals. */
  private static void awaitRefusal(Ikev2Lab ikev2, String protocol, String identity) {
    Wait.until(protocol + " MaxConnectionsReached refusal of " + identity + " in GET /refusals",
        Duration.ofSeconds(10),
        () -> {
          for (JsonNode r : ikev2.refusals()) {
            if (r.path("reason").asText().equals("MaxConnectionsReached")
                && r.path("protocol").asText().equals(protocol)
                && r.path("identity").asText().equals(identity)) {
              return true;
            }
          }
          return false;
        },
        () -> ikev2.gateway().tail());
  }
}
