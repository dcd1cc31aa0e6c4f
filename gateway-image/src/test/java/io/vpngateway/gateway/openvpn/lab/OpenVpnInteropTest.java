package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real, unmodified openvpn 2.6 client against the production gateway: {@code bin/vpngw serve
 * --config DIR} ({@link ServedGateway}) on Java 25 where installed, in the gateway namespace of a
 * {@link NetnsLab} (client — gateway — backend), its config rendered from a VpnGateway CR by the
 * same code as the operator's. One gateway serves every scenario of this class: UDP and TCP, TLS 1.2
 * and 1.3, every data cipher, tls-crypt-v2 (every client profile uses it), renegotiation, float,
 * explicit-exit-notify and the refusals. Counters come from the management API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnInteropTest {
  private static final String POOL = "10.203.0.0/24";
  private static final String GATEWAY_TUNNEL_IP = "10.203.0.1";
  private static final Duration CONNECT = Duration.ofSeconds(40);
  private static final String GATEWAY_CR = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: interop
        namespace: default
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: %s
        routing:
          routes: [%s]
        policies:
          tls:
            minVersion: "1.2"
            dataCiphers: [AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305]
      """;

  private NetnsLab lab;
  private OpenVpnClients clients;
  private ServedGateway gateway;
  private int udpPort;
  private int tcpPort;
  /** The gateway runs on Java 25, where TCP connections' threads are virtual (ConnectionThreads). */
  private boolean gatewayOnJava25;

  @BeforeAll
  void startGateway() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("ping");
    Prerequisites.requireBinary("nft");
    // Java 25 when installed (as the launcher picks it); the tls-ekm tests require it
    Path java = Java25.find().orElse(Java25.current());
    gatewayOnJava25 = Java25.find().isPresent();
    lab = NetnsLab.create("ovpn", "10.201.1.0/24", "10.201.2.0/24");
    lab.routeClientPoolFromBackend(POOL);
    Path dir = lab.workDir().resolve("gateway");
    var state = ServedGateway.prepare(dir, GATEWAY_CR.formatted(POOL, "10.201.2.0/24"),
        lab.gatewayOuterAddress());
    clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
    String revoked = clients.client("revoked").sha256Thumbprint();
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> revoke(doc, revoked), java);
    udpPort = gateway.config().listen().openvpnUdp();
    tcpPort = gateway.config().listen().openvpnTcp();
  }

  /** The document with one more revoked thumbprint, as an administrator would list it. */
  private static void revoke(ObjectNode doc, String thumbprint) {
    ObjectNode certificate = (ObjectNode) doc.path("authentication").path("certificate");
    certificate.withArray("revokedThumbprints")
        .addObject().put("name", "revoked").put("thumbprint", thumbprint);
  }

  @AfterAll
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  private LabProcess connect(String name, String proto, String... extra) throws Exception {
    clients.client(name);
    Path conf = clients.config(name, proto, lab.gatewayOuterAddress(), port(proto), extra);
    LabProcess client = lab.client().start("openvpn-" + name, "openvpn", "--config",
        conf.toString());
    client.awaitLine("Initialization Sequence Completed", CONNECT);
    return client;
  }

  private int port(String proto) {
    return proto.startsWith("tcp") ? tcpPort : udpPort;
  }

  @Test
  void udpClientConnectsPingsAndCarriesIperf() throws Exception {
    try (LabProcess client = connect("udp1", "udp")) {
      PingResult gw = lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3);
      assertTrue(gw.received() >= 2, gw.output() + "\n" + gateway.process().tail());
      PingResult behind = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(behind.received() >= 2, behind.output());
      IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
      System.out.printf("openvpn udp iperf3 client->backend: %.0f Mbit/s%n",
          iperf.megabitsPerSecond());
      assertTrue(iperf.bitsPerSecond() > 1e6, iperf.json());
      assertTrue(client.output().contains("TLSv1.3"), client.tail());
      JsonNode sessions = gateway.sessions();
      assertTrue(sessions.toString().contains("\"udp1\""), sessions.toString());
    }
  }

  /** Skipped with the reason where no Java 25 is installed; under CI=true that fails. */
  @Test
  void java25GatewayPushesTlsEkmAndSaysSo() throws Exception {
    Java25.require();
    try (LabProcess client = connect("ekm", "udp")) {
      assertTrue(client.output().contains("tls-ekm"), "a Java 25 gateway must push tls-ekm");
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2);
    }
    String line = gateway.process().awaitLine("JVM .*keying-material", Duration.ofSeconds(1));
    assertTrue(line.contains(" 25") && line.contains("tls-ekm (TLS keying-material exporter"),
        line);
  }

  @Test
  void revokedCertificateGetsAuthFailedWithReason() throws Exception {
    assertRefused("revoked", "CertificateRevoked");
  }

  @Test
  void certificateOfAnotherCaGetsAuthFailedUntrustedIssuer() throws Exception {
    clients.clientOfAnotherCa("foreign");
    assertRefused("foreign", "UntrustedIssuer");
  }

  @Test
  void expiredCertificateGetsAuthFailedCertificateExpired() throws Exception {
    clients.expiredClient("expired");
    assertRefused("expired", "CertificateExpired");
  }

  /** The client's certificate files exist; it must be told {@code AUTH_FAILED,<reason>}. */
  private void assertRefused(String name, String reason) throws Exception {
    Path conf = clients.config(name, "udp", lab.gatewayOuterAddress(), udpPort);
    try (LabProcess client = lab.client().start("openvpn-" + name, "openvpn", "--config",
        conf.toString())) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED," + reason), line + "\n" + gateway.process().tail());
      assertFalse(client.output().contains("Initialization Sequence Completed"));
    }
  }

  /**
   * README "A password on a gateway without password authentication": this gateway has no
   * password backend, so the user name and password of a profile with auth-user-pass are not
   * checked and not used (the certificate names the client); a password in our auth-token format
   * is still checked, and a forged one refused.
   */
  @Test
  void aPasswordSentToACertificateOnlyGatewayIsIgnoredUnlessItIsAForgedAuthToken()
      throws Exception {
    Path credentials = lab.workDir().resolve("clients/habit.credentials");
    Files.writeString(credentials, "mallory\nnot-checked-anywhere\n");
    try (LabProcess client = connect("habit", "udp", "auth-user-pass " + credentials)) {
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2, client.tail());
      String sessions = gateway.sessions().toString();
      assertTrue(sessions.contains("\"habit\""), sessions);
      assertFalse(sessions.contains("mallory"), "the user name sent is not the identity");
    }

    clients.client("forger");
    Path forged = lab.workDir().resolve("clients/forger.credentials");
    Files.writeString(forged, "forger\nvgw2.AAAAforged.token\n");
    Path conf = clients.config("forger", "udp", lab.gatewayOuterAddress(), udpPort,
        "auth-user-pass " + forged);
    try (LabProcess client = lab.client().start("openvpn-forger", "openvpn", "--config",
        conf.toString())) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,AuthTokenInvalid"),
          line + "\n" + gateway.process().tail());
    }
  }

  /**
   * A certificate-only gateway requires the client certificate in the TLS handshake, even though
   * it runs its own EAP-TLS server for IKEv2 and SSTP (on Java 25, as here): a client without one
   * (here with a token-shaped password, as a client whose certificate was revoked would present its
   * pushed auth-token) never gets past TLS.
   */
  @Test
  void aClientWithoutCertificateIsRefusedInTheTlsHandshake() throws Exception {
    Path credentials = lab.workDir().resolve("clients/nocert.credentials");
    Files.writeString(credentials, "nocert\nvgw3.bm9jZXJ0..1.9999999999..token\n");
    Path conf = clients.configWithoutCertificate("nocert", "udp", lab.gatewayOuterAddress(),
        udpPort, "auth-user-pass " + credentials);
    long failures = gateway.process().output().lines()
        .filter(l -> l.contains("TLS handshake failed")).count();
    try (LabProcess client = lab.client().start("openvpn-nocert", "openvpn", "--config",
        conf.toString())) {
      String line = client.awaitLine("TLS Error|TLS_ERROR|alert|AUTH_FAILED", CONNECT);
      assertFalse(line.contains("AUTH_FAILED"),
          "the TLS handshake must refuse it, not the authentication after it: " + line);
      assertFalse(client.output().contains("Initialization Sequence Completed"), line);
      gateway.process().awaitOccurrences("TLS handshake failed", (int) failures + 1, CONNECT);
    }
  }

  @Test
  void tcpClientConnectsAndCarriesIperf() throws Exception {
    try (LabProcess client = connect("tcp1", "tcp-client")) {
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2);
      PingResult behind = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(behind.received() >= 2, behind.output());
      IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
      System.out.printf("openvpn tcp iperf3 client->backend: %.0f Mbit/s%n",
          iperf.megabitsPerSecond());
      assertTrue(iperf.bitsPerSecond() > 1e6, iperf.json());
      if (gatewayOnJava25) {
        // the connection's reader and writer are virtual threads: no OS thread of the gateway
        // carries their name (a platform thread's comm is "openvpn-tcp-/10", 15 chars); the
        // control thread's name shows these are the gateway JVM's threads
        List<String> threads = osThreadNames(gateway.process().pid());
        assertTrue(threads.stream().anyMatch(t -> t.startsWith("openvpn-control")), "" + threads);
        assertTrue(threads.stream().noneMatch(t -> t.startsWith("openvpn-tcp-/")), "" + threads);
      }
    }
  }

  /** The names (comm) of the OS threads of {@code pid} and its descendant processes. */
  private static List<String> osThreadNames(long pid) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          names.add(Files.readString(task.resolve("comm")).trim());
          for (String child : Files.readString(task.resolve("children")).trim().split("\\s+")) {
            if (!child.isEmpty()) {
              names.addAll(osThreadNames(Long.parseLong(child)));
            }
          }
        } catch (NoSuchFileException e) {
          // the thread ended meanwhile
        }
      }
    }
    return names;
  }

  @ParameterizedTest
  @ValueSource(strings = {"AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"})
  void everyDataCipherCarriesTraffic(String cipher) throws Exception {
    String name = "c" + cipher.substring(0, 5).toLowerCase().replace("-", "");
    try (LabProcess client = connect(name, "udp", "data-ciphers " + cipher)) {
      assertTrue(client.output().contains("Data Channel: cipher '" + cipher + "'"),
          client.tail());
      PingResult r = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(r.received() >= 2, r.output());
    }
  }

  @Test
  void tls12ControlChannelWorks() throws Exception {
    try (LabProcess client = connect("tls12", "udp", "tls-version-max 1.2")) {
      assertTrue(client.output().contains("TLSv1.2"), client.tail());
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2);
    }
  }

  @Test
  void tlsCryptV2KeyOfAnotherGatewayIsDroppedSilently() throws Exception {
    clients.client("intruder");
    Path conf = clients.config("intruder", "udp", lab.gatewayOuterAddress(), udpPort,
        "tls-crypt-v2 " + clients.foreignTlsCryptV2Key("intruder"));
    long before = authenticationDrops();
    try (LabProcess client = lab.client().start("openvpn-intruder", "openvpn", "--config",
        conf.toString())) {
      Wait.until("two packets dropped for failed authentication", Duration.ofSeconds(15),
          () -> authenticationDrops() >= before + 2, () -> gateway.process().tail());
      assertFalse(client.output().contains("Initialization Sequence Completed"));
      assertFalse(client.output().contains("Peer Connection Initiated"), client.tail());
    }
  }

  private long authenticationDrops() throws Exception {
    return gateway.metric("vpngw_dropped_packets_total", "protocol", "OpenVPN", "reason",
        "AuthenticationFailed");
  }

  @Test
  void renegotiationUnderTrafficKeepsTheTunnelUp() throws Exception {
    try (LabProcess client = connect("reneg", "udp", "reneg-sec 3")) {
      long renegsBefore = gateway.metric("vpngw_openvpn_renegotiations_total");
      PingResult r = lab.ping(lab.client(), lab.backendAddress(), 45);  // 9 s at 0.2 s
      long renegs = gateway.metric("vpngw_openvpn_renegotiations_total") - renegsBefore;
      assertTrue(renegs >= 2, "renegotiations: " + renegs + "\n" + client.tail());
      assertTrue(r.received() >= r.transmitted() - 2, r.output());
    }
  }

  @Test
  void twoClientsGetDistinctAddresses() throws Exception {
    try (LabProcess a = connect("twoa", "udp", "route-noexec");
        LabProcess b = connect("twob", "tcp-client", "route-noexec")) {
      String addrA = pushedAddress(a);
      String addrB = pushedAddress(b);
      assertNotEquals(addrA, addrB);
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 2).received() >= 1);
    }
  }

  @Test
  void explicitExitNotifyEndsTheSessionAtOnce() throws Exception {
    LabProcess client = connect("exiter", "udp", "explicit-exit-notify 1");
    // the gauge is read live from /metrics: the session is counted once the client is connected
    long before = openVpnSessions();
    assertTrue(before >= 1, "the session is counted");
    client.close();  // SIGTERM: the client sends EXIT over the control channel (cc-exit)
    // keepalive timeout is far longer, so only the EXIT message can end the session this fast
    Wait.until("the session to end", Duration.ofSeconds(5), () -> openVpnSessions() < before,
        () -> gateway.process().tail());
  }

  private long openVpnSessions() throws Exception {
    return gateway.metric("vpngw_sessions", "protocol", "OpenVPN");
  }

  @Test
  void clientFloatsToANewSourceAddressAfterAuthenticating() throws Exception {
    String floated = lab.clientAddress().replaceAll("\\.2$", ".3");
    try (LabProcess client = connect("floater", "udp")) {
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 2).received() >= 1);
      lab.client().execOk("ip", "addr", "add", floated + "/24", "dev", "c-gw");
      try {
        lab.client().execOk("ip", "route", "replace", "10.201.1.0/24", "dev", "c-gw", "src",
            floated);
        PingResult r = lab.ping(lab.client(), lab.backendAddress(), 5);
        assertTrue(r.received() >= 3, r.output() + "\n" + gateway.process().tail());
        gateway.process().awaitLine("floated to /" + floated.replace(".", "\\."),
            Duration.ofSeconds(5));
      } finally {
        lab.client().exec("ip", "route", "replace", "10.201.1.0/24", "dev", "c-gw", "src",
            lab.clientAddress());
        lab.client().exec("ip", "addr", "del", floated + "/24", "dev", "c-gw");
      }
    }
  }

  private static String pushedAddress(LabProcess client) {
    Matcher m = Pattern.compile("ifconfig (10\\.203\\.0\\.\\d+) ").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }
}
