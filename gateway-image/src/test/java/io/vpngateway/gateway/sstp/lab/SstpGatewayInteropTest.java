package io.vpngateway.gateway.sstp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.gateway.lab.QemuGuest;
import io.vpngateway.gateway.openvpn.lab.OpenVpnClients;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Mode;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Phase;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The unmodified Debian pppd 2.4.9 + sstpc 1.0.18 in a QEMU guest (kernel PPP, which this host
 * lacks) against the production gateway, {@code bin/vpngw serve} ({@link ServedGateway}) in the
 * gateway namespace of a {@link NetnsLab}, authenticating MS-CHAPv2 through a real FreeRADIUS
 * (the gateway's RadiusMsChapV2Backend). One guest boot runs the phases in order:
 *
 * <p>The gateway serves OpenVPN and SSTP on one TCP port (its shared-port demultiplexer); the real
 * openvpn 2.6 TCP client is connected on that port before the guest boots and stays up beside it.
 *
 * <ol>
 *   <li>pppd + sstp-pppd-plugin, TLS 1.2: Call Connected with a crypto binding keyed by
 *       FreeRADIUS's MPPE keys (checked by the gateway), the pool's address, ping of the gateway
 *       and of the backend host, iperf3 both ways to the backend, while OpenVPN pings through the
 *       same port; then {@code DELETE /sessions/{id}} of the SSTP session: the guest's pppd sees
 *       the link go down within 5 s, OpenVPN is untouched;
 *   <li>{@code sstpc --user/--password} (sstpc derives the binding keys itself), TLS 1.2;
 *   <li>a wrong password: refused (BadCredentials counted, no address);
 *   <li>pppd's EAP-TLS with a certificate of the gateway's CA, relayed to FreeRADIUS's EAP-TLS
 *       (Call Connected with the binding keyed by FreeRADIUS's MSK, ping);
 *   <li>TLS 1.3 (sstpc 1.0.18 was seen to stall there: a stall is reported as skipped with the
 *       reason, never as a pass).
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SstpGatewayInteropTest {
  private static final String POOL = "10.205.0.0/24";
  private static final String POOL_PREFIX = "inet 10.205.0.";
  private static final String GATEWAY_TUNNEL_IP = "10.205.0.1";
  private static final String SECRET = "sstp-lab-secret";
  private static final String RADIUS_NAME = "radius.lab";
  private static final Duration BOOT_AND_CONNECT = Duration.ofSeconds(180);
  private static final Duration STEP = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ADDRESS = Pattern.compile("inet (10\\.205\\.0\\.\\d+) ");
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: sstp
        namespace: default
      spec:
        protocols: [OpenVPN, SSTP]
        clientAddressPools:
          - cidr: %s
        routing:
          routes: [%s]
        authentication:
          certificate:
            builtInCa: true
          radius:
            servers:
              - address: 127.0.0.1
                port: %d
                secretRef: {name: radius-secret}
            timeout: 5s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %s
      """;

  private static final String DORA = """
      apiVersion: vpngateway.io/v1alpha1
      kind: ClientCertificate
      metadata:
        name: dora
        namespace: default
      spec:
        gatewayRef:
          name: sstp
        commonName: dora
        duration: 24h
        privateKey:
          algorithm: ECDSA
          size: 256
        secretName: dora-vpn
      """;

  private NetnsLab lab;
  private FreeRadiusServer radius;
  private ServedGateway gateway;
  private LabProcess iperfServer;
  private OpenVpnClients openvpn;
  private final int iperfPort = 5201;

  @BeforeAll
  void start() throws Exception {
    QemuGuest.require();
    Prerequisites.requireBinary("sstpc");
    Prerequisites.requireBinary("pppd");
    Prerequisites.requireBinary("freeradius");
    Prerequisites.requireBinary("iperf3");
    Prerequisites.requireBinary("openvpn");
    lab = NetnsLab.create("sstp", "10.204.1.0/24", "10.204.2.0/24");
    lab.routeClientPoolFromBackend(POOL);
    Path dir = lab.workDir().resolve("gateway");
    // FreeRADIUS listens on 1812 in the gateway namespace; its EAP-TLS side needs the gateway's CA
    StateDirectory state = ServedGateway.prepare(dir, GatewayFile.parse(
        GATEWAY_FILE.formatted(POOL, "10.204.2.0/24", 1812, SECRET), "sstp test"),
        lab.gatewayOuterAddress());
    Path radiusDir = Files.createDirectories(lab.workDir().resolve("radius"));
    CertificateAuthority ca = state.certificateAuthority();
    IssuedCertificate radiusCert = ca.issueServerCertificate(new ServerCertificateRequest(
        RADIUS_NAME, List.of(RADIUS_NAME), List.of(), KeySpec.EC_P256, Duration.ofDays(2)),
        Instant.now());
    Files.writeString(radiusDir.resolve("server.pem"), radiusCert.certificatePem());
    Files.writeString(radiusDir.resolve("server.key"), radiusCert.privateKeyPem());
    Files.writeString(radiusDir.resolve("client-ca.pem"), ca.certificatePem());
    radius = FreeRadiusServer.builder(radiusDir)
        .in(lab.gateway())
        .secret(SECRET).user("alice", "alice-pw", "Class = \"staff\"")
        .eapTls(radiusDir.resolve("server.pem"), radiusDir.resolve("server.key"),
            radiusDir.resolve("client-ca.pem"))
        .defaultEapType("tls")
        .start();
    openvpn = new OpenVpnClients(Files.createDirectories(lab.workDir().resolve("openvpn")), state);
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> {},
        Java25.find().orElse(Java25.current()));
    iperfServer = lab.backend().start("iperf3-server", "iperf3", "-s", "--forceflush", "-B",
        lab.backendAddress(), "-p", Integer.toString(iperfPort));
    iperfServer.awaitLine("Server listening", Duration.ofSeconds(10));
  }

  @AfterAll
  void stop() {
    if (iperfServer != null) {
      iperfServer.close();
    }
    if (radius != null) {
      radius.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void realSstpClientsThroughVpngwServeAndFreeRadiusBesideOpenVpn() throws Exception {
    int port = gateway.config().listen().sstp();
    assertEquals(port, gateway.config().listen().openvpnTcp(), "SSTP and OpenVPN-TCP share it");
    Path work = lab.workDir().resolve("guest");
    Files.createDirectories(work);
    Path ca = work.resolve("ca.pem");
    Files.copy(gateway.directory().resolve(gateway.config().files().caCertificate()), ca);
    String backend = lab.backendAddress();
    // dora's ClientCertificate as the CLI issues it, for pppd's EAP-TLS
    Path request = work.resolve("dora.yaml");
    Files.writeString(request, DORA);
    Path dora = work.resolve("dora");
    assertEquals(0, Vpngw.run("issue", "-f", request.toString(), "--state-dir",
        gateway.directory().toString(), "--out", dora.toString()));
    List<Phase> phases = List.of(
        new Phase("plugin", Mode.PPPD_PLUGIN, "alice", "alice-pw", "", true,
            List.of(GATEWAY_TUNNEL_IP, backend),
            List.of(SstpGuestScript.iperf3("up", backend, iperfPort, 3, false),
                SstpGuestScript.iperf3("down", backend, iperfPort, 3, true)),
            90),
        new Phase("userpw", Mode.SSTPC_USER_PASSWORD, "alice", "alice-pw", "", true,
            List.of(backend), List.of(), 0),
        SstpGuestScript.phase("wrongpw", Mode.PPPD_PLUGIN, "alice", "wrong-pw"),
        // pppd's EAP-TLS with dora's certificate, relayed to FreeRADIUS's EAP-TLS (pppd checks
        // the RADIUS server certificate's CN, since that server is its TLS peer)
        new Phase("eaptlsradius", Mode.PPPD_PLUGIN, "dora", null, "refuse-mschap-v2 ca " + ca
            + " cert " + dora.resolve("tls.crt") + " key " + dora.resolve("tls.key")
            + " remotename " + RADIUS_NAME, true, List.of(backend), List.of(), 0),
        new Phase("tls13", Mode.PPPD_PLUGIN, "alice", "alice-pw", "", false,
            List.of(backend), List.of(), 0));
    Path script = SstpGuestScript.write(work, ca, phases);
    // the real openvpn 2.6 over TCP on the same port, connected before the guest and up with it
    openvpn.client("ovpn-tcp");
    Path conf = openvpn.config("ovpn-tcp", "tcp", lab.gatewayOuterAddress(), port);
    try (LabProcess ovpn = lab.client().start("openvpn-tcp", "openvpn", "--config",
            conf.toString());
        LabProcess guest = QemuGuest.start(lab.client(), "sstp-guest", script, work,
            lab.gatewayOuterAddress() + ":" + port)) {
      try {
        ovpn.awaitLine("Initialization Sequence Completed", STEP);
        String up = line(guest, "VPNGW-plugin-(UP|FAILED)", BOOT_AND_CONNECT);
        assertTrue(up.contains(POOL_PREFIX), "IPCP address from the pool: " + up + "\n"
            + gateway.process().tail());
        assertCallConnected(guest, "plugin", up, "TLSv1.2");
        JsonNode session = liveSession("SSTP");
        assertEquals("alice", session.path("identity").asText(), session.toString());
        assertEquals("staff", session.path("groups").path(0).asText(), "Class from FreeRADIUS");
        assertTrue(session.path("cipher").asText().startsWith("TLSv1.2"), session.toString());
        JsonNode both = gateway.sessions();
        assertTrue(both.toString().contains("\"OpenVPN\""), "both protocols live: " + both);
        // OpenVPN carries traffic while the guest pings and moves data through SSTP
        assertOpenVpnPings("while SSTP is up");
        assertPinged(guest, "plugin", GATEWAY_TUNNEL_IP);
        assertPinged(guest, "plugin", backend);
        assertEquals("VPNGW-plugin-RESULT 0 0", line(guest, "VPNGW-plugin-RESULT 0 ", STEP));
        assertEquals("VPNGW-plugin-RESULT 1 0", line(guest, "VPNGW-plugin-RESULT 1 ", STEP));
        double upBits = bitsPerSecond(SstpGuestScript.iperf3Report(guest.output(), "up"));
        double downBits = bitsPerSecond(SstpGuestScript.iperf3Report(guest.output(), "down"));
        System.out.printf("SSTP (guest, TCG) iperf3 3 s: up %.1f Mbit/s, down %.1f Mbit/s%n",
            upBits / 1e6, downBits / 1e6);
        assertTrue(upBits > 100_000 && downBits > 100_000, "data moved both ways");
        assertOpenVpnPings("after the SSTP transfer");

        // DELETE /sessions/{id} of the live SSTP session: the guest's pppd sees the link go down
        long before = System.nanoTime();
        assertEquals(204, gateway.disconnect(session.path("id").asText()));
        String end = line(guest, "VPNGW-plugin-END ", STEP);
        double seconds = (System.nanoTime() - before) / 1e9;
        System.out.printf("SSTP DELETE /sessions/{id} to pppd exit seen by the guest: %.1f s%n",
            seconds);
        assertEquals("VPNGW-plugin-END exited", end, "the client ended, not the hold");
        assertTrue(seconds < 5, "pppd saw the link go down within 5 s: " + seconds + " s");
        String plugin = phaseOutput(guest, "plugin");
        assertTrue(plugin.contains("Modem hangup") || plugin.contains("Connection terminated"),
            "pppd logged the link going down:\n" + plugin);
        Wait.until("the SSTP session gone from /sessions", Duration.ofSeconds(10),
            () -> !gateway.sessions().toString().contains("\"SSTP\""));
        assertOpenVpnPings("after the SSTP session ended");

        up = line(guest, "VPNGW-userpw-(UP|FAILED)", STEP);
        assertTrue(up.contains(POOL_PREFIX), "sstpc --user/--password: " + up);
        assertCallConnected(guest, "userpw", up, "TLSv1.2");
        assertPinged(guest, "userpw", backend);

        line(guest, "VPNGW-wrongpw-(UP|FAILED)", STEP);
        assertTrue(guest.output().contains("VPNGW-wrongpw-FAILED"), guest.tail());
        assertTrue(!phaseOutput(guest, "wrongpw").contains("Sending Connected Message"),
            "no Call Connected after a refused password");
        Wait.until("the wrong password counted", Duration.ofSeconds(10), () -> gateway.metric(
            "vpngw_handshakes_total", "protocol", "SSTP", "reason", "BadCredentials") >= 1);

        up = line(guest, "VPNGW-eaptlsradius-(UP|FAILED)", STEP);
        assertTrue(up.contains(POOL_PREFIX), "EAP-TLS relayed to FreeRADIUS: " + up + "\n"
            + radius.output().lines().filter(l -> l.contains("eap") || l.contains("TLS"))
                .reduce("", (a, b) -> a + "\n" + b));
        assertCallConnected(guest, "eaptlsradius", up, "TLSv1.2");
        assertPinged(guest, "eaptlsradius", backend);
        assertTrue(radius.output().contains("eap_tls"), "FreeRADIUS ran EAP-TLS");
        assertTrue(gateway.process().output().contains(" of dora from "),
            "the session is dora's, the RADIUS user name");

        up = line(guest, "VPNGW-tls13-(UP|FAILED)", STEP);
        line(guest, "VPNGW-DONE", STEP);
        String bindingFailures =
            "vpngw_dropped_packets_total{protocol=\"SSTP\",reason=\"CryptoBindingFailed\"}";
        assertEquals(0.0, gateway.metrics().get(bindingFailures), "every crypto binding checked");
        assertTrue(gateway.metric("vpngw_handshakes_total", "protocol", "SSTP", "result", "ok")
            >= 2, "the plugin and --user/--password phases were admitted");
        if (up.contains("FAILED")
            && !phaseOutput(guest, "tls13").contains("Sending Connect-Request")) {
          // sstpc 1.0.18's TLS 1.3 stall (README, SSTP): our server finished TLS, read the
          // SSTP_DUPLEX_POST and sent 200; the client never sends Call Connect Request
          Assumptions.abort("sstpc 1.0.18 TLS 1.3 stall reproduced: the client never sent"
              + " Call Connect Request after the server's HTTP 200 (a client bug, see README);"
              + " every TLS 1.2 phase passed");
        }
        assertTrue(up.contains(POOL_PREFIX), "TLS 1.3: " + up);
        assertCallConnected(guest, "tls13", up, "TLSv1.3");
        assertPinged(guest, "tls13", backend);
      } finally {
        System.out.println("---- guest console ----\n" + guest.output());
        System.out.println("---- vpngw serve ----\n" + gateway.process().tail());
      }
    }
  }

  private void assertOpenVpnPings(String when) {
    PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 3);
    assertTrue(ping.received() >= 2, "OpenVPN over TCP " + when + ": " + ping.output());
  }

  /** The one live session of {@code protocol} in {@code GET /sessions}. */
  private JsonNode liveSession(String protocol) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    Wait.until(protocol + " session listed", Duration.ofSeconds(10), () -> {
      found.clear();
      for (JsonNode s : gateway.sessions()) {
        if (protocol.equals(s.path("protocol").asText())) {
          found.add(s);
        }
      }
      return found.size() == 1;
    });
    return found.get(0);
  }

  /**
   * The client sent Call Connected (sstpc logs it once the crypto binding is computed), and the
   * gateway logged the session established for the address of the phase's {@code up} line over
   * {@code tls}: the binding checked out (a mismatch aborts before that line).
   */
  private void assertCallConnected(LabProcess guest, String phase, String up, String tls) {
    assertTrue(phaseOutput(guest, phase).contains("Sending Connected Message"),
        phase + ": sstpc sent Call Connected");
    Matcher m = ADDRESS.matcher(up);
    assertTrue(m.find(), up);
    String established = "established: " + m.group(1) + ", " + tls + " ";
    Wait.until(phase + ": the gateway logged '" + established + "'", Duration.ofSeconds(10),
        () -> gateway.process().output().contains(established));
  }

  /** What the guest printed for {@code phase} (from its PHASE line to the next one). */
  static String phaseOutput(LabProcess guest, String phase) {
    String out = guest.output();
    int from = out.indexOf("VPNGW-PHASE " + phase);
    if (from < 0) {
      return "";
    }
    int to = out.indexOf("VPNGW-PHASE ", from + 1);
    return out.substring(from, to < 0 ? out.length() : to);
  }

  /** A console line of the guest, without the serial console's carriage return. */
  static String line(LabProcess guest, String regex, Duration timeout) {
    return guest.awaitLine(regex, timeout).strip();
  }

  private static void assertPinged(LabProcess guest, String phase, String target) {
    String quoted = target.replace(".", "\\.");
    String ping = line(guest, "VPNGW-" + phase + "-PING \\d* " + quoted, STEP);
    assertTrue(ping.matches(".*-PING [45] .*"), ping);
    String large = line(guest, "VPNGW-" + phase + "-PING-LARGE \\d* " + quoted, STEP);
    assertTrue(large.matches(".*-PING-LARGE [23] .*"), large);
  }

  /** The receiver's goodput from an iperf3 JSON report. */
  static double bitsPerSecond(String json) throws Exception {
    JsonNode root = JSON.readTree(json);
    assertTrue(!root.hasNonNull("error"), root.path("error").asText());
    return root.path("end").path("sum_received").path("bits_per_second").asDouble();
  }
}
