package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * RADIUS accounting of live sessions against a real FreeRADIUS 3.2 (its {@code detail} file), with
 * the real openvpn 2.6 client and the production gateway ({@code vpngw serve}): Interim-Update
 * records with growing byte counts every {@code accountingInterimInterval} while the session
 * carries traffic, and, when the gateway is stopped (SIGTERM, as Kubernetes stops a pod), a Stop
 * with Acct-Terminate-Cause Admin-Reboot and the byte counts for every live session, before the
 * process exits. The shutdown test runs last: it stops this class's gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenVpnRadiusAccountingInteropTest {
  private static final String POOL = "10.221.0.0/24";
  private static final String SECRET = "accounting-secret";
  private static final Duration CONNECT = Duration.ofSeconds(60);
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: radius-accounting
        namespace: default
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: %1$s
        routing:
          routes: [%2$s]
        authentication:
          requireCertificateAndPassword: true
          certificate:
            builtInCa: true
          radius:
            servers:
              - address: %3$s
                secretRef: {name: radius-secret}
            timeout: 3s
            retries: 1
            accountingInterimInterval: 5s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %4$s
      """;

  private NetnsLab lab;
  private FreeRadiusServer radius;
  private OpenVpnClients clients;
  private ServedGateway gateway;
  private int port;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("ping");
    Prerequisites.requireBinary("nft");
    Prerequisites.requireBinary("freeradius");
    Path java = Java25.find().orElse(Java25.current());
    lab = NetnsLab.create("ovacct", "10.222.1.0/24", "10.222.2.0/24");
    lab.routeClientPoolFromBackend(POOL);
    radius = FreeRadiusServer.builder(lab.workDir())
        .in(lab.backend())
        .listen(lab.backendAddress())
        .clients(lab.gatewayBackendAddress())
        .secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"")
        .user("bob", "bob-pw")
        .start();
    Path dir = lab.workDir().resolve("gateway");
    var state = ServedGateway.prepare(dir,
        GatewayFile.parse(GATEWAY_FILE.formatted(POOL, "10.222.2.0/24", lab.backendAddress(),
            SECRET), "radius-accounting.yaml"),
        lab.gatewayOuterAddress());
    clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> {}, java);
    port = gateway.config().listen().openvpnUdp();
  }

  @AfterAll
  void stop() {
    if (gateway != null) {
      gateway.process().close();
    }
    if (radius != null) {
      radius.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  private LabProcess connect(String name, String user, String password) throws Exception {
    clients.client(name);
    Path credentials = clients.dir().resolve(name + ".pass");
    Files.writeString(credentials, user + "\n" + password + "\n");
    Path config = clients.config(name, "udp", lab.gatewayOuterAddress(), port,
        "auth-user-pass " + credentials);
    LabProcess client = lab.client().start("openvpn-" + name, "openvpn", "--config",
        config.toString());
    client.awaitLine("Initialization Sequence Completed", CONNECT);
    return client;
  }

  private static String tunnelAddress(LabProcess client) {
    Matcher m = Pattern.compile("net_addr_v4_add: ([0-9.]+)/").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }

  private String sessionId(String identity, String address) throws Exception {
    for (JsonNode s : gateway.sessions()) {
      if (s.path("identity").asText().equals(identity)
          && s.path("innerAddress").asText().equals(address)) {
        return s.path("id").asText();
      }
    }
    throw new AssertionError("no session of " + identity + " at " + address);
  }

  private List<Map<String, String>> records(String sessionId, String type) {
    return radius.accountingRecords().stream()
        .filter(r -> sessionId.equals(r.get("Acct-Session-Id"))
            && type.equals(r.get("Acct-Status-Type")))
        .toList();
  }

  private static long octets(Map<String, String> record, String direction) {
    return Long.parseLong(record.getOrDefault("Acct-" + direction + "-Octets", "0"));
  }

  @Test
  @Order(1)
  void interimUpdatesCarryTheGrowingByteCountsOfALiveSession() throws Exception {
    try (LabProcess client = connect("alice", "alice", "alice-pw")) {
      String id = sessionId("alice", tunnelAddress(client));
      Wait.untilAsserted("Accounting Start of " + id, Duration.ofSeconds(10),
          () -> assertEquals(1, records(id, "Start").size()));
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 5).received() >= 4);
      // the first Interim-Update after the pings carries them
      Wait.untilAsserted("an Interim-Update with the pings' octets", Duration.ofSeconds(20),
          () -> {
            List<Map<String, String>> interim = records(id, "Interim-Update");
            assertFalse(interim.isEmpty(), "no Interim-Update yet");
            Map<String, String> last = interim.get(interim.size() - 1);
            assertTrue(octets(last, "Input") >= 5 * 84, last.toString());
            assertTrue(octets(last, "Output") >= 5 * 84, last.toString());
          });
      List<Map<String, String>> before = records(id, "Interim-Update");
      long inBefore = octets(before.get(before.size() - 1), "Input");
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 10).received() >= 8);
      Wait.untilAsserted("a later Interim-Update with more octets", Duration.ofSeconds(20),
          () -> {
            List<Map<String, String>> interim = records(id, "Interim-Update");
            Map<String, String> last = interim.get(interim.size() - 1);
            assertTrue(octets(last, "Input") >= inBefore + 8 * 84,
                "before " + inBefore + ", now " + last);
            assertTrue(Long.parseLong(last.get("Acct-Session-Time")) >= 5, last.toString());
            assertTrue(last.getOrDefault("Class", "").contains("engineering")
                || last.getOrDefault("Class", "").contains("0x656e67"), last.toString());
          });
      assertTrue(records(id, "Stop").isEmpty(), "the session is still up");
    }
  }

  @Test
  @Order(2)
  void stoppingTheGatewaySendsStopForEveryLiveSession() throws Exception {
    List<LabProcess> live = new ArrayList<>();
    try {
      live.add(connect("carol", "alice", "alice-pw"));
      live.add(connect("dave", "bob", "bob-pw"));
      String first = sessionId("alice", tunnelAddress(live.get(0)));
      String second = sessionId("bob", tunnelAddress(live.get(1)));
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
      for (String id : List.of(first, second)) {
        Wait.untilAsserted("Accounting Start of " + id, Duration.ofSeconds(10),
            () -> assertEquals(1, records(id, "Start").size()));
      }
      long start = System.nanoTime();
      lab.gateway().execOk("kill", "-TERM", Long.toString(gateway.process().pid()));
      gateway.process().awaitExit(Duration.ofSeconds(30));
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      for (String id : List.of(first, second)) {
        List<Map<String, String>> stop = records(id, "Stop");
        assertEquals(1, stop.size(), "one Stop for " + id + " before the process exited: "
            + radius.accountingRecords());
        assertEquals("Admin-Reboot", stop.get(0).get("Acct-Terminate-Cause"), stop.toString());
        assertTrue(octets(stop.get(0), "Input") > 0, stop.toString());
      }
      assertTrue(seconds < 20, "the shutdown took " + seconds + " s");
    } finally {
      live.forEach(LabProcess::close);
    }
  }
}
