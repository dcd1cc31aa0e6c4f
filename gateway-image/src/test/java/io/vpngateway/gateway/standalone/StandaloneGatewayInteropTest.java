package io.vpngateway.gateway.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The issue's headline test, end to end with the real openvpn 2.6 client: {@code vpngw serve -f
 * examples/gateway-minimal.yaml --state-dir DIR} runs as a child JVM in the lab's gateway namespace
 * (as in a pod), {@code vpngw issue} writes alice's credentials and profiles, {@code openvpn
 * --config client.ovpn} connects from the client namespace, pings through the tunnel (the gateway's
 * inner address, and the backend through NAT), {@code vpngw sessions} lists her, and {@code vpngw
 * revoke alice} ends her live session within 5 s. Then a route added to the running config reaches
 * the next client (bob) without a restart.
 */
class StandaloneGatewayInteropTest {
  private static final String VPNGW = "io.vpngateway.gateway.cli.Vpngw";
  private static final String GATEWAY_INNER = "10.200.0.1";
  /** Bounds a hung CLI JVM; generous because a JVM start on a loaded 2-core machine is slow. */
  private static final Duration CLI_EXIT = Duration.ofSeconds(120);

  @Test
  void serveIssueConnectPingRevoke() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("nft");
    Path examples = GatewayFixture.examples();
    try (NetnsLab lab = NetnsLab.create("standalone", "10.98.61.0/24", "10.98.62.0/24")) {
      Path state = lab.workDir().resolve("state");
      Path out = lab.workDir().resolve("alice");
      LabProcess gateway =
          lab.startJava(
              lab.gateway(),
              "vpngw-serve",
              true,
              List.of(),
              VPNGW,
              "serve",
              "-f",
              examples.resolve("gateway-minimal.yaml").toString(),
              "--state-dir",
              state.toString(),
              "--endpoint",
              lab.gatewayOuterAddress());
      gateway.awaitLine("gateway default/minimal ready", Duration.ofSeconds(120));
      // OpenVPN's in-memory start-up warm-up is off by default (StartupWarmup,
      // OpenVpnProtocolServer.warmUpByDefault: no gain for the real client, BENCHMARKS.md)
      assertFalse(gateway.output().contains("OpenVPN warm-up"), gateway.tail());
      // standalone, the management API (TLS) and the probes listen on loopback only
      gateway.awaitLine(
          "management https://127\\.0\\.0\\.1:9443, health http://127\\.0\\.0\\.1:9080",
          Duration.ofSeconds(1));
      String listening = lab.gateway().execOk("ss", "-Htln").output();
      // (a dual-stack socket bound to 127.0.0.1 shows as [::ffff:127.0.0.1])
      assertTrue(
          Pattern.compile("(^|\\s)(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):9443 ")
              .matcher(listening)
              .find(),
          listening);
      assertFalse(
          Pattern.compile("(0\\.0\\.0\\.0|\\*|\\[::\\]|"
                  + Pattern.quote(lab.gatewayOuterAddress()) + "):9443 ")
              .matcher(listening)
              .find(),
          "nothing but loopback on the management port:\n" + listening);

      LabProcess openvpn = issueAndConnect(lab, examples.resolve("clientcertificate.yaml"), state, out, "openvpn");

      PingResult inner = lab.ping(lab.client(), GATEWAY_INNER, 5);
      assertTrue(inner.received() >= 4, "ping through the tunnel:\n" + inner.output());
      assertFalse(openvpn.output().contains("'PUSH_REQUEST'"),
          "the gateway pushes without waiting to be asked (IV_PROTO request-push):\n"
              + openvpn.tail());
      // both directions with the real client; the downlink comes from the gateway's own TCP
      // stack, whose 64 KiB super-packets the data plane cuts (TUN segmentation offload) and
      // sends in UDP GSO batches
      assertTrue(gateway.output().contains("TCP segmentation offload on"), gateway.tail());
      IperfResult up = lab.iperf3(lab.gateway(), GATEWAY_INNER, lab.client(), 3);
      IperfResult down = lab.iperf3(lab.gateway(), GATEWAY_INNER, lab.client(), 3, "-R");
      System.out.printf("through vpngw serve: uplink %.0f Mbit/s, downlink %.0f Mbit/s%n",
          up.megabitsPerSecond(), down.megabitsPerSecond());
      assertTrue(up.bitsPerSecond() > 1e6, up.json());
      assertTrue(down.bitsPerSecond() > 1e6, down.json());
      // the backend is not in the example's pushed routes: route it into the tunnel by hand;
      // the gateway masquerades, so the backend needs no route back to the pool
      String tun =
          openvpn
              .awaitLine("TUN/TAP device \\S+ opened", Duration.ofSeconds(1))
              .replaceAll(".*TUN/TAP device (\\S+) opened.*", "$1");
      lab.client().execOk("ip", "route", "add", lab.backendAddress() + "/32", "dev", tun);
      PingResult backend = lab.ping(lab.client(), lab.backendAddress(), 5);
      assertTrue(backend.received() >= 4, "ping to the backend via NAT:\n" + backend.output());

      LabProcess sessions =
          lab.startJava(
              lab.gateway(),
              "vpngw-sessions",
              false,
              List.of(),
              VPNGW,
              "sessions",
              "--state-dir",
              state.toString());
      assertEquals(0, sessions.awaitExit(CLI_EXIT), sessions.output());
      assertTrue(
          sessions.output().matches("(?s).*alice\\s+OpenVPN\\s+10\\.200\\.0\\.\\d+.*"),
          sessions.output());

      long revokedAt = System.nanoTime();
      assertEquals(0, Vpngw.run("revoke", "alice", "--state-dir", state.toString()));
      gateway.awaitLine(
          "ending session \\S+ of alice \\(OpenVPN\\): CertificateRevoked", Duration.ofSeconds(5));
      long millis = (System.nanoTime() - revokedAt) / 1_000_000;
      System.out.println("revoked session ended " + millis + " ms after vpngw revoke");
      assertTrue(
          lab.ping(lab.client(), GATEWAY_INNER, 3).received() == 0,
          "the revoked client must not reach the tunnel any more");
      openvpn.close();

      // a live route change: new sessions are pushed the backend route, no restart
      Path config = state.resolve("config.yaml");
      Files.writeString(
          config,
          Files.readString(config)
              .replace(
                  "  - 10.96.0.0/12\n", "  - 10.96.0.0/12\n  - " + lab.backendAddress() + "/32\n"));
      gateway.awaitOccurrences("config reloaded from", 2, Duration.ofSeconds(5));
      Path bobFile = lab.workDir().resolve("bob.yaml");
      Files.writeString(
          bobFile,
          Files.readString(examples.resolve("clientcertificate.yaml"))
              .replace("name: alice", "name: bob")
              .replace("commonName: alice", "commonName: bob"));
      Path bobOut = lab.workDir().resolve("bob");
      LabProcess bob = issueAndConnect(lab, bobFile, state, bobOut, "openvpn-bob");
      bob.awaitLine(
          "net_route_v4_add: " + Pattern.quote(lab.backendAddress()) + "/32",
          Duration.ofSeconds(1));
      PingResult pushed = lab.ping(lab.client(), lab.backendAddress(), 5);
      assertTrue(pushed.received() >= 4, "ping over the reloaded route:\n" + pushed.output());

      // an administrator ends bob's session through the management API
      String bobId = sessionIdOf(lab, state, "bob");
      LabProcess disconnect =
          lab.startJava(
              lab.gateway(),
              "vpngw-disconnect",
              false,
              List.of(),
              VPNGW,
              "disconnect",
              bobId,
              "--state-dir",
              state.toString());
      assertEquals(0, disconnect.awaitExit(CLI_EXIT), disconnect.output());
      gateway.awaitLine(Pattern.quote(bobId) + ": closed", Duration.ofSeconds(5));
      assertFalse(listSessions(lab, state).contains(bobId), "the session must be gone");
    }
  }

  /**
   * The pod's entry path: {@code vpngw serve --config DIR/config.yaml} on a rendered directory of a
   * two-replica gateway, with {@code POD_NAME=minimal-1} as the StatefulSet sets it: the client
   * gets an address from replica 1's half of the pool.
   */
  @Test
  void serveFromARenderedConfigAsReplicaOne() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("nft");
    Path examples = GatewayFixture.examples();
    try (NetnsLab lab = NetnsLab.create("podentry", "10.98.63.0/24", "10.98.64.0/24")) {
      Path gatewayFile = lab.workDir().resolve("gateway.yaml");
      Files.writeString(
          gatewayFile,
          Files.readString(examples.resolve("gateway-minimal.yaml"))
              .replace("spec:\n", "spec:\n  replicas: 2\n"));
      Path dir = lab.workDir().resolve("config");
      StateDirectory state = StateDirectory.open(dir);
      state.prepare(
          Serialization.unmarshal(Files.readString(gatewayFile), VpnGateway.class),
          List.of(lab.gatewayOuterAddress()),
          Instant.now());
      LabProcess gateway =
          lab.gateway()
              .start(
                  "vpngw-serve-config",
                  Map.of("POD_NAME", "minimal-1"),
                  NetnsLab.javaBinary(true).toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  NetnsLab.testClasspath(),
                  VPNGW,
                  "serve",
                  "--config",
                  dir.resolve("config.yaml").toString());
      gateway.awaitLine("ready: replica 1 of 2, 125 connections", Duration.ofSeconds(120));

      Path out = lab.workDir().resolve("alice");
      LabProcess openvpn = issueAndConnect(lab, examples.resolve("clientcertificate.yaml"), dir, out, "openvpn");
      String ifconfig = lab.client().execOk("ip", "-4", "-o", "addr", "show").output();
      Matcher m = Pattern.compile("inet 10\\.200\\.0\\.(\\d+)/24").matcher(ifconfig);
      assertTrue(m.find(), ifconfig);
      assertTrue(
          Integer.parseInt(m.group(1)) >= 128,
          "replica 1 hands out the upper half of the pool: " + ifconfig);
      assertTrue(lab.ping(lab.client(), GATEWAY_INNER, 3).received() >= 2);
      openvpn.close();

      // the same profile over TCP only: through the gateway's shared TCP port (first bytes)
      gateway.awaitLine("TCP \\S+:443 serves \\[openvpn\\]", Duration.ofSeconds(1));
      Path tcpOnly = out.resolve("client-tcp.ovpn");
      Files.writeString(
          tcpOnly,
          Files.readString(out.resolve("client.ovpn"))
              .replaceAll("(?m)^remote \\S+ \\d+ udp\\n", "")
              .replaceAll("(?m)^server-poll-timeout.*\\n", ""));
      LabProcess overTcp =
          lab.client().start("openvpn-tcp", "openvpn", "--config", tcpOnly.toString());
      overTcp.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(30));
      assertTrue(overTcp.output().contains("[AF_INET]" + lab.gatewayOuterAddress() + ":443"),
          overTcp.output());
      assertTrue(lab.ping(lab.client(), GATEWAY_INNER, 3).received() >= 2);
    }
  }

  /** {@code vpngw sessions --json}, run inside the gateway namespace as an operator would. */
  /**
   * Issues a client with the real CLI code ({@code vpngw issue}) and connects the real openvpn
   * client with the profile it wrote; returns once the tunnel is up.
   */
  private static LabProcess issueAndConnect(
      NetnsLab lab, Path clientCertificate, Path state, Path out, String label) throws Exception {
    assertEquals(
        0,
        Vpngw.run(
            "issue",
            "-f",
            clientCertificate.toString(),
            "--state-dir",
            state.toString(),
            "--out",
            out.toString()));
    LabProcess openvpn =
        lab.client()
            .start(label, "openvpn", "--config", out.resolve("client.ovpn").toString(), "--verb", "3");
    openvpn.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(30));
    return openvpn;
  }

  private static String listSessions(NetnsLab lab, Path state) {
    LabProcess sessions =
        lab.startJava(
            lab.gateway(),
            "vpngw-sessions-json",
            false,
            List.of(),
            VPNGW,
            "sessions",
            "--json",
            "--state-dir",
            state.toString());
    assertEquals(0, sessions.awaitExit(CLI_EXIT), sessions.output());
    return sessions.output();
  }

  private static String sessionIdOf(NetnsLab lab, Path state, String identity) throws Exception {
    for (JsonNode s : new ObjectMapper().readTree(jsonArray(listSessions(lab, state)))) {
      if (s.path("identity").asText().equals(identity)) {
        return s.path("id").asText();
      }
    }
    throw new AssertionError("no session of " + identity);
  }

  /** The JSON line of the command's output (the JVM may print warnings around it). */
  private static String jsonArray(String output) {
    return output.lines().filter(l -> l.startsWith("[")).findFirst().orElse("[]");
  }
}
