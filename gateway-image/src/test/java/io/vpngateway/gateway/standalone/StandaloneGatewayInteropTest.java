package io.vpngateway.gateway.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.lab.LabProcess;
import io.vpngateway.gateway.lab.NetnsLab;
import io.vpngateway.gateway.lab.PingResult;
import io.vpngateway.gateway.lab.Prerequisites;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The issue's headline test, end to end with the real openvpn 2.6 client: {@code vpngw serve -f
 * examples/gateway-minimal.yaml --state-dir DIR} runs as a child JVM in the lab's gateway
 * namespace (as in a pod), {@code vpngw issue} writes alice's profile, {@code openvpn --config
 * alice.ovpn} connects from the client namespace, pings through the tunnel (the gateway's inner
 * address, and the backend through NAT), {@code vpngw sessions} lists her, and {@code vpngw revoke
 * alice} ends her live session within 5 s.
 */
class StandaloneGatewayInteropTest {
  private static final String VPNGW = "io.vpngateway.gateway.cli.Vpngw";
  private static final String GATEWAY_INNER = "10.200.0.1";

  @Test
  void serveIssueConnectPingRevoke() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("nft");
    Path examples = GatewayFixture.examples();
    try (NetnsLab lab = NetnsLab.create("standalone", "10.98.61.0/24", "10.98.62.0/24")) {
      Path state = lab.workDir().resolve("state");
      Path out = lab.workDir().resolve("alice");
      LabProcess gateway = lab.startJava(lab.gateway(), "vpngw-serve", true, List.of(), VPNGW,
          "serve", "-f", examples.resolve("gateway-minimal.yaml").toString(),
          "--state-dir", state.toString(), "--endpoint", lab.gatewayOuterAddress());
      gateway.awaitLine("gateway default/minimal ready", Duration.ofSeconds(60));

      assertEquals(0, Vpngw.run("issue", "-f", examples.resolve("clientcertificate.yaml")
          .toString(), "--state-dir", state.toString(), "--out", out.toString()));
      LabProcess openvpn = lab.client().start("openvpn", "openvpn", "--config",
          out.resolve("alice.ovpn").toString(), "--verb", "3");
      openvpn.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(30));

      PingResult inner = lab.ping(lab.client(), GATEWAY_INNER, 5);
      assertTrue(inner.received() >= 4, "ping through the tunnel:\n" + inner.output());
      // the backend is not in the example's pushed routes: route it into the tunnel by hand;
      // the gateway masquerades, so the backend needs no route back to the pool
      String tun = openvpn.awaitLine("TUN/TAP device \\S+ opened", Duration.ofSeconds(1))
          .replaceAll(".*TUN/TAP device (\\S+) opened.*", "$1");
      lab.client().execOk("ip", "route", "add", lab.backendAddress() + "/32", "dev", tun);
      PingResult backend = lab.ping(lab.client(), lab.backendAddress(), 5);
      assertTrue(backend.received() >= 4, "ping to the backend via NAT:\n" + backend.output());

      LabProcess sessions = lab.startJava(lab.gateway(), "vpngw-sessions", false, List.of(),
          VPNGW, "sessions", "--state-dir", state.toString());
      assertEquals(0, sessions.awaitExit(Duration.ofSeconds(30)), sessions.output());
      assertTrue(sessions.output().matches("(?s).*alice\\s+OpenVPN\\s+10\\.200\\.0\\.\\d+.*"),
          sessions.output());

      long revokedAt = System.nanoTime();
      assertEquals(0, Vpngw.run("revoke", "alice", "--state-dir", state.toString()));
      gateway.awaitLine("ending session \\S+ of alice \\(OpenVPN\\): CertificateRevoked",
          Duration.ofSeconds(5));
      long millis = (System.nanoTime() - revokedAt) / 1_000_000;
      System.out.println("revoked session ended " + millis + " ms after vpngw revoke");
      assertTrue(lab.ping(lab.client(), GATEWAY_INNER, 3).received() == 0,
          "the revoked client must not reach the tunnel any more");
    }
  }
}
