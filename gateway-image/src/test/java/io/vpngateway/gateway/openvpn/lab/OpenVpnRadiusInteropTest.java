package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real, unmodified openvpn 2.6 client with {@code auth-user-pass} against the production
 * gateway ({@code bin/vpngw serve}, {@link ServedGateway}) and a real FreeRADIUS 3.2 ({@link
 * FreeRadiusServer}) in the backend namespace of a {@link NetnsLab}. The gateway requires the
 * certificate AND the password ({@code requireCertificateAndPassword}), as
 * {@code examples/gateway-radius.yaml}; its config comes from a VpnGateway file with the RADIUS
 * Secret as a second document, as {@code vpngw serve -f} reads it.
 *
 * <p>Covered: PAP and MS-CHAPv2 (switched by a live config reload) admit with the pool of the
 * RADIUS Class; a wrong password and a missing one are refused with their reason, listed in
 * {@code GET /refusals}; a RADIUS Access-Challenge answered three ways through the client's
 * management interface, as a GUI does: CRV1 dynamic challenge (the client reconnects with the
 * answer), CR_TEXT (the client has {@code IV_SSO crtext}) and a static challenge ({@code
 * static-challenge}, the password arrives as SCRV1); Framed-IP-Address inside the group's pool
 * honoured, outside it ignored; accounting Start and Stop with byte counts in FreeRADIUS's detail
 * file. Certificate AND password: a certificate without password is refused {@code
 * CredentialsMissing}, a password without certificate fails the TLS handshake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnRadiusInteropTest {
  private static final String DEFAULT_POOL = "10.211.0.0/24";
  private static final String ENGINEERING_POOL = "10.212.0.0/24";
  private static final String SECRET = "radius-interop-secret";
  private static final Duration CONNECT = Duration.ofSeconds(60);
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: radius-interop
        namespace: default
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: %1$s
          - cidr: %2$s
            groups: [engineering]
            priority: 10
        routing:
          routes: [%3$s]
        authentication:
          requireCertificateAndPassword: true
          certificate:
            builtInCa: true
          radius:
            servers:
              - address: %4$s
                secretRef: {name: radius-secret}
            timeout: 5s
            retries: 1
            passwordProtocol: PAP
            groupAttribute: Class
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %5$s
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
    lab = NetnsLab.create("ovrad", "10.213.1.0/24", "10.213.2.0/24");
    lab.routeClientPoolFromBackend(DEFAULT_POOL);
    lab.routeClientPoolFromBackend(ENGINEERING_POOL);
    radius = FreeRadiusServer.builder(lab.workDir())
        .in(lab.backend())
        .listen(lab.backendAddress())
        .clients(lab.gatewayBackendAddress())
        .secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"")
        .user("bob", "bob-pw")
        .user("dave", "dave-pw", "Class = \"engineering\"", "Framed-IP-Address = 10.212.0.77")
        .user("erin", "erin-pw", "Class = \"engineering\"", "Framed-IP-Address = 10.211.0.99")
        .challengeUser("carol", "carol-pw", "123456", "engineering")
        .start();
    Path dir = lab.workDir().resolve("gateway");
    var state = ServedGateway.prepare(dir,
        GatewayFile.parse(GATEWAY_FILE.formatted(DEFAULT_POOL, ENGINEERING_POOL,
            "10.213.2.0/24", lab.backendAddress(), SECRET), "radius-interop.yaml"),
        lab.gatewayOuterAddress());
    clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> {}, java);
    port = gateway.config().listen().openvpnUdp();
  }

  @AfterAll
  void stop() {
    if (radius != null) {
      radius.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** A client config with its certificate and {@code auth-user-pass} from a file. */
  private Path passwordConfig(String name, String user, String password, String... extra)
      throws Exception {
    clients.client(name);
    Path credentials = clients.dir().resolve(name + ".pass");
    Files.writeString(credentials, user + "\n" + password + "\n");
    List<String> lines = new ArrayList<>(List.of("auth-user-pass " + credentials));
    lines.addAll(List.of(extra));
    return clients.config(name, "udp", lab.gatewayOuterAddress(), port,
        lines.toArray(String[]::new));
  }

  private LabProcess start(String name, Path config, String... args) {
    List<String> cmd = new ArrayList<>(List.of("openvpn", "--config", config.toString()));
    cmd.addAll(List.of(args));
    return lab.client().start("openvpn-" + name, cmd.toArray(String[]::new));
  }

  /** The address the gateway pushed, from the client's log ({@code net_addr_v4_add: A/24}). */
  private static String tunnelAddress(LabProcess client) {
    Matcher m = Pattern.compile("net_addr_v4_add: ([0-9.]+)/").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }

  private static boolean inPool(String address, String cidr) {
    String prefix = cidr.substring(0, cidr.lastIndexOf('.') + 1); // the /24s of this test
    return address.startsWith(prefix);
  }

  @Test
  void papLoginGetsTheClassPoolAndCarriesTraffic() throws Exception {
    try (LabProcess client = start("alice", passwordConfig("alice", "alice", "alice-pw"))) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, ENGINEERING_POOL), "Class engineering -> " + address);
      PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(ping.received() >= 2, ping.output() + "\n" + gateway.process().tail());
      IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 2);
      System.out.printf("openvpn + RADIUS PAP iperf3 client->backend: %.0f Mbit/s%n",
          iperf.megabitsPerSecond());
      assertTrue(iperf.bitsPerSecond() > 1e6, iperf.json());
      JsonNode s = session("alice", address); // earlier tests' sessions may still be up
      assertEquals("[\"engineering\"]", s.path("groups").toString());
      assertEquals(address, s.path("innerAddress").asText());
      radius.awaitOutput("User-Password = \"alice-pw\"", Duration.ofSeconds(5));
    }
  }

  @Test
  void aUserWithoutGroupGetsTheDefaultPool() throws Exception {
    try (LabProcess client = start("bob", passwordConfig("bob", "bob", "bob-pw"))) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, DEFAULT_POOL), address);
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
    }
  }

  @Test
  void aWrongPasswordIsRefusedWithBadCredentialsAndListed() throws Exception {
    try (LabProcess client = start("mallory", passwordConfig("mallory", "alice", "guess"))) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,BadCredentials"), line);
      assertFalse(client.output().contains("Initialization Sequence Completed"));
    }
    Wait.untilAsserted("the refusal in GET /refusals", Duration.ofSeconds(10), () -> {
      JsonNode last = lastRefusal();
      assertEquals("BadCredentials", last.path("reason").asText(), last.toString());
      assertEquals("alice", last.path("identity").asText(), last.toString());
      assertEquals("OpenVPN", last.path("protocol").asText(), last.toString());
    });
    String log = gateway.process().output();
    assertFalse(log.contains("guess"), "no password in the gateway's log");
  }

  @Test
  void aCertificateWithoutPasswordIsRefused() throws Exception {
    clients.client("nopass");
    Path config = clients.config("nopass", "udp", lab.gatewayOuterAddress(), port);
    try (LabProcess client = start("nopass", config)) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,CredentialsMissing"), line);
    }
  }

  /**
   * The other half of "either alone is refused": a right password from a client without a
   * certificate. The gateway requires one in the TLS handshake, so the client never gets to send
   * its password (the RADIUS server never sees it) and never connects.
   */
  @Test
  void aPasswordWithoutCertificateIsRefusedInTheTlsHandshake() throws Exception {
    Path credentials = clients.dir().resolve("nocert.pass");
    Files.writeString(credentials, "bob\nbob-pw\n");
    Path config = clients.configWithoutCertificate("nocert", "udp", lab.gatewayOuterAddress(),
        port, "auth-user-pass " + credentials);
    int before = countOf(radius.output(), "User-Name = \"bob\"");
    int failures = countOf(gateway.process().output(), "TLS handshake failed");
    try (LabProcess client = start("nocert", config)) {
      String line = client.awaitLine("TLS Error|TLS_ERROR|alert", CONNECT);
      assertFalse(client.output().contains("Initialization Sequence Completed"), line);
      gateway.process().awaitOccurrences("TLS handshake failed", failures + 1, CONNECT);
    }
    String failure = gateway.process().output().lines()
        .filter(l -> l.contains("TLS handshake failed")).reduce((a, b) -> b).orElseThrow();
    assertTrue(failure.toLowerCase(java.util.Locale.ROOT).contains("certificate"), failure);
    assertEquals(before, countOf(radius.output(), "User-Name = \"bob\""),
        "the password never reached RADIUS");
  }

  private JsonNode lastRefusal() throws Exception {
    JsonNode all = gateway.refusals();
    assertTrue(all.size() > 0, all.toString());
    return all.get(all.size() - 1);
  }

  @Test
  void msChapV2AfterALiveSwitchOfThePasswordProtocol() throws Exception {
    setPasswordProtocol("MSCHAPv2");
    try {
      int before = countOf(radius.output(), "MS-CHAP2-Response");
      try (LabProcess client = start("alice2", passwordConfig("alice2", "alice", "alice-pw"))) {
        client.awaitLine("Initialization Sequence Completed", CONNECT);
        assertTrue(inPool(tunnelAddress(client), ENGINEERING_POOL));
        assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
      }
      assertTrue(countOf(radius.output(), "MS-CHAP2-Response") > before,
          "the server saw an MS-CHAPv2 request");
      try (LabProcess client = start("mallory2", passwordConfig("mallory2", "alice", "nope"))) {
        String line = client.awaitLine("AUTH_FAILED", CONNECT);
        assertTrue(line.contains("AUTH_FAILED,BadCredentials"), line);
      }
    } finally {
      setPasswordProtocol("PAP");
    }
  }

  private static int countOf(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  /** Edits the running gateway's config.yaml as the operator's Secret update would. */
  private void setPasswordProtocol(String protocol) throws Exception {
    Path config = gateway.directory().resolve("config.yaml");
    String yaml = Files.readString(config, StandardCharsets.UTF_8);
    String edited = yaml.replaceFirst("passwordProtocol: \"?[A-Za-z0-9]+\"?",
        "passwordProtocol: \"" + protocol + "\"");
    if (edited.equals(yaml)) {
      return;
    }
    int reloads = countOf(gateway.process().output(), "config reloaded");
    Path tmp = config.resolveSibling("config.yaml.tmp");
    Files.writeString(tmp, edited, StandardCharsets.UTF_8);
    Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    gateway.process().awaitOccurrences("config reloaded", reloads + 1, Duration.ofSeconds(30));
  }

  @Test
  void framedIpAddressIsHonouredInsideTheGroupsPoolOnly() throws Exception {
    try (LabProcess dave = start("dave", passwordConfig("dave", "dave", "dave-pw"));
        LabProcess erin = start("erin", passwordConfig("erin", "erin", "erin-pw"))) {
      dave.awaitLine("Initialization Sequence Completed", CONNECT);
      erin.awaitLine("Initialization Sequence Completed", CONNECT);
      assertEquals("10.212.0.77", tunnelAddress(dave));
      String other = tunnelAddress(erin);
      assertTrue(inPool(other, ENGINEERING_POOL), "not the default pool's 10.211.0.99: " + other);
    }
  }

  @Test
  void accountingStartAndStopWithByteCountsReachFreeRadius() throws Exception {
    String sessionId;
    try (LabProcess client = start("frank",
        passwordConfig("frank", "alice", "alice-pw", "explicit-exit-notify 1"))) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      sessionId = session("alice", address).path("id").asText();
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 5).received() >= 4);
      Wait.untilAsserted("Accounting Start of " + sessionId, Duration.ofSeconds(10),
          () -> assertEquals(1, records(sessionId, "Start").size()));
    }
    Wait.untilAsserted("Accounting Stop of " + sessionId, Duration.ofSeconds(20),
        () -> assertEquals(1, records(sessionId, "Stop").size()));
    var stop = records(sessionId, "Stop").get(0);
    assertEquals("alice", stop.get("User-Name"));
    assertTrue(Long.parseLong(stop.get("Acct-Input-Octets")) >= 5 * 84,
        "five pings in: " + stop);
    assertTrue(Long.parseLong(stop.get("Acct-Output-Octets")) >= 5 * 84,
        "five replies out: " + stop);
    assertTrue(stop.get("Class").contains("engineering") || stop.get("Class").contains("0x656e67"),
        "the Accept's Class echoed: " + stop);
    var start = records(sessionId, "Start").get(0);
    assertFalse(start.containsKey("Acct-Input-Octets"), start.toString());
  }

  private java.util.List<java.util.Map<String, String>> records(String sessionId, String type) {
    return radius.accountingRecords().stream()
        .filter(r -> sessionId.equals(r.get("Acct-Session-Id"))
            && type.equals(r.get("Acct-Status-Type")))
        .toList();
  }

  private JsonNode session(String identity, String address) throws Exception {
    for (JsonNode s : gateway.sessions()) {
      if (s.path("identity").asText().equals(identity)
          && s.path("innerAddress").asText().equals(address)) {
        return s;
      }
    }
    throw new AssertionError("no session of " + identity + " at " + address + ": "
        + gateway.sessions());
  }

  /**
   * The first server silently drops every request (an nft rule in the backend namespace), so the
   * gateway waits out its timeout twice before the second server answers: longer than the
   * client's hand-window (40 s here). The gateway announces that wait (AUTH_PENDING,timeout N),
   * so the client keeps waiting instead of giving up, and the login succeeds on the second server.
   */
  @Test
  void aSilentFirstServerIsWaitedOutAndTheSecondAnswers() throws Exception {
    lab.backend().execOk("nft", "add", "table", "inet", "silent");
    lab.backend().execOk("nft", "add", "chain", "inet", "silent", "input",
        "{ type filter hook input priority 0 ; }");
    lab.backend().execOk("nft", "add", "rule", "inet", "silent", "input", "udp", "dport",
        "1899", "drop");
    editRadius(radius -> {
      var servers = (com.fasterxml.jackson.databind.node.ArrayNode) radius.get("servers");
      var silent = servers.get(0).deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) silent).put("port", 1899)
          .put("accountingPort", 1900).put("priority", 0).put("timeoutMillis", 25_000);
      ((com.fasterxml.jackson.databind.node.ObjectNode) servers.get(0)).put("priority", 5);
      servers.insert(0, silent);
    });
    try {
      long start = System.nanoTime();
      try (LabProcess client = start("patient",
          passwordConfig("patient", "alice", "alice-pw", "hand-window 40"))) {
        client.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(120));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds >= 40, "connected after " + seconds + " s: the silent server's 2 x 25 s"
            + " were waited out past the client's 40 s hand-window");
        assertTrue(inPool(tunnelAddress(client), ENGINEERING_POOL));
      }
    } finally {
      editRadius(radius -> {
        var servers = (com.fasterxml.jackson.databind.node.ArrayNode) radius.get("servers");
        servers.remove(0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) servers.get(0)).put("priority", 0);
      });
      lab.backend().exec("nft", "delete", "table", "inet", "silent");
    }
  }

  /** Edits the radius section of the running gateway's config.yaml and waits for the reload. */
  private void editRadius(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>
      edit) throws Exception {
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    Path config = gateway.directory().resolve("config.yaml");
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(config.toFile());
    edit.accept((com.fasterxml.jackson.databind.node.ObjectNode)
        tree.path("authentication").path("radius"));
    int reloads = countOf(gateway.process().output(), "config reloaded");
    Path tmp = config.resolveSibling("config.yaml.tmp");
    Files.writeString(tmp, yaml.writeValueAsString(tree), StandardCharsets.UTF_8);
    Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    gateway.process().awaitOccurrences("config reloaded", reloads + 1, Duration.ofSeconds(30));
  }

  // ------------------------------------------------------------------------- challenges

  /** A client that asks its management interface for the password, as a GUI has it. */
  private LabProcess managed(String name, Path socket, String... extra) throws Exception {
    clients.client(name);
    List<String> lines = new ArrayList<>(List.of("auth-user-pass",
        "management " + socket + " unix", "management-query-passwords", "auth-retry interact"));
    lines.addAll(List.of(extra));
    Path config = clients.config(name, "udp", lab.gatewayOuterAddress(), port,
        lines.toArray(String[]::new));
    return start(name, config);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dynamicChallengeCrv1IsAnsweredOnReconnect() throws Exception {
    Path socket = lab.workDir().resolve("crv1.sock");
    try (LabProcess client = managed("carol1", socket);
        OpenVpnManagement m = OpenVpnManagement.connect(socket, CONNECT)) {
      m.await(">PASSWORD:Need 'Auth' username/password", CONNECT);
      m.login("carol", "carol-pw");
      Matcher crv1 = m.await(
          ">PASSWORD:Verification Failed: 'Auth' \\['CRV1:R,E:([0-9a-f]+):([A-Za-z0-9+/=]+):"
              + "Enter the code from your token'\\]", CONNECT);
      assertEquals("carol", new String(Base64.getDecoder().decode(crv1.group(2)),
          StandardCharsets.UTF_8));
      m.await(">PASSWORD:Need 'Auth' username/password", CONNECT);
      m.login("carol", "CRV1::" + crv1.group(1) + "::123456");
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertTrue(inPool(tunnelAddress(client), ENGINEERING_POOL), "the Class of the accept");
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
    }
  }

  @Test
  void crTextChallengeIsAnsweredInBand() throws Exception {
    Path socket = lab.workDir().resolve("crtext.sock");
    try (LabProcess client = managed("carol2", socket, "setenv IV_SSO crtext");
        OpenVpnManagement m = OpenVpnManagement.connect(socket, CONNECT)) {
      m.await(">PASSWORD:Need 'Auth' username/password", CONNECT);
      m.login("carol", "carol-pw");
      m.await(">INFOMSG:CR_TEXT:R,E:Enter the code from your token", CONNECT);
      m.send("cr-response " + b64("123456"));
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertTrue(inPool(tunnelAddress(client), ENGINEERING_POOL));
      assertFalse(client.output().contains("AUTH_FAILED"), "one connection, no reconnect");
    }
  }

  @Test
  void staticChallengeAnswersTheServersChallenge() throws Exception {
    Path socket = lab.workDir().resolve("scrv1.sock");
    try (LabProcess client = managed("carol3", socket,
            "static-challenge \"Enter the code from your token\" 1");
        OpenVpnManagement m = OpenVpnManagement.connect(socket, CONNECT)) {
      m.await(">PASSWORD:Need 'Auth' username/password SC:1,Enter the code", CONNECT);
      m.login("carol", "SCRV1:" + b64("carol-pw") + ":" + b64("123456"));
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertTrue(inPool(tunnelAddress(client), ENGINEERING_POOL));
    }
  }

  @Test
  void aWrongChallengeAnswerIsRefused() throws Exception {
    Path socket = lab.workDir().resolve("crwrong.sock");
    try (LabProcess client = managed("carol4", socket, "setenv IV_SSO crtext");
        OpenVpnManagement m = OpenVpnManagement.connect(socket, CONNECT)) {
      m.await(">PASSWORD:Need 'Auth' username/password", CONNECT);
      m.login("carol", "carol-pw");
      m.await(">INFOMSG:CR_TEXT:", CONNECT);
      m.send("cr-response " + b64("000000"));
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,BadCredentials"), line);
    }
  }
}
