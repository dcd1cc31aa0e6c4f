package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenVPN timers of an idle server, which sleeps until the deadlines its sessions name
 * (keepalive ping, ping-restart) instead of ticking every second: the real openvpn 2.6 client,
 * told by the gateway to restart after {@value #TIMEOUT_S} s without a packet, stays connected
 * while silent only if the gateway's keepalive pings arrive on time; and a client that vanishes
 * without a word loses its session at the gateway's ping-restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnKeepaliveInteropTest {
  private static final String POOL = "10.204.0.0/24";
  private static final int INTERVAL_S = 2;
  private static final int TIMEOUT_S = 6;
  private static final String GATEWAY_CR = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: keepalive
        namespace: default
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: %s
        routing:
          routes: [%s]
      """;

  private NetnsLab lab;
  private OpenVpnClients clients;
  private ServedGateway gateway;

  @BeforeAll
  void startGateway() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("nft");
    Path java = Java25.find().orElse(Java25.current());
    lab = NetnsLab.create("ovka", "10.204.1.0/24", "10.204.2.0/24");
    Path dir = lab.workDir().resolve("gateway");
    var state = ServedGateway.prepare(dir, GATEWAY_CR.formatted(POOL, "10.204.2.0/24"),
        lab.gatewayOuterAddress());
    clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
    gateway = ServedGateway.start(lab.gateway(), dir, OpenVpnKeepaliveInteropTest::timers, java);
  }

  private static void timers(ObjectNode doc) {
    ObjectNode openvpn = (ObjectNode) doc.get("openvpn");
    openvpn.put("keepaliveIntervalSeconds", INTERVAL_S).put("keepaliveTimeoutSeconds", TIMEOUT_S);
  }

  @AfterAll
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aSilentClientIsKeptAliveAndAVanishedOneEndsAtPingRestart() throws Exception {
    clients.client("quiet");
    Path conf = clients.config("quiet", "udp", lab.gatewayOuterAddress(),
        gateway.config().listen().openvpnUdp(), "route-noexec");
    LabProcess client = lab.client().start("openvpn-quiet", "openvpn", "--config",
        conf.toString());
    try {
      client.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(40));
      assertTrue(client.output().contains("ping-restart " + TIMEOUT_S), client.tail());
      // three of the client's restart timeouts of silence: only our pings keep it up
      Duration quiet = Duration.ofSeconds(3L * TIMEOUT_S);
      long wakeups = controlThreadWakeups();
      Awaitility.await("the silent client to stay connected")
          .during(quiet)
          .atMost(quiet.plusSeconds(5))
          .until(() -> !client.output().contains("Inactivity timeout") && sessions() == 1);
      // the control thread wakes for our pings (every INTERVAL_S) and a few session deadlines,
      // not at a fast tick for seconds after the handshake's last control packet (that made ~50
      // wake-ups in the first 5 s alone)
      wakeups = controlThreadWakeups() - wakeups;
      System.out.printf("openvpn-control wake-ups over %d quiet s: %d%n", quiet.toSeconds(),
          wakeups);
      assertTrue(wakeups <= quiet.toSeconds(), "control thread woke " + wakeups + " times");

      ProcessHandle.of(client.pid()).ifPresent(ProcessHandle::destroyForcibly); // no exit notify
      long vanished = System.nanoTime();
      Wait.until("the gateway to end the vanished client's session",
          Duration.ofSeconds(TIMEOUT_S + 15), () -> sessions() == 0,
          () -> gateway.process().tail());
      long seconds = (System.nanoTime() - vanished) / 1_000_000_000L;
      System.out.printf("vanished client's session ended after %d s (ping-restart %d s)%n",
          seconds, TIMEOUT_S);
      assertTrue(gateway.process().output().contains("ping-restart"), gateway.process().tail());
      assertFalse(client.isAlive());
      assertEquals(0, sessions());
    } finally {
      client.close();
    }
  }

  /** Voluntary context switches of the gateway's {@code openvpn-control} thread so far. */
  private long controlThreadWakeups() throws IOException {
    ProcessHandle gw = ProcessHandle.of(gateway.process().pid()).orElseThrow();
    for (ProcessHandle p : Stream.concat(Stream.of(gw), gw.descendants()).toList()) {
      try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
        for (Path task : tasks.toList()) {
          if (Files.readString(task.resolve("comm")).strip().equals("openvpn-control")) {
            return Files.readAllLines(task.resolve("status")).stream()
                .filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip()))
                .findFirst().orElseThrow();
          }
        }
      }
    }
    throw new IllegalStateException("no openvpn-control thread in the gateway's process");
  }

  private long sessions() throws Exception {
    return gateway.metric("vpngw_sessions", "protocol", "OpenVPN");
  }
}
