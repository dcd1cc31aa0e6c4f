package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.api.profile.ClientProfiles;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.gateway.standalone.ClientIssuer;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.gateway.testing.TestIssuer;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Password-only OpenVPN: the real, unmodified openvpn 2.6 client with NO client certificate
 * against the production gateway ({@code vpngw serve}) whose certificate authentication is off
 * ({@code certificate.builtInCa: false}, no trusted roots) and which checks passwords with a real
 * FreeRADIUS and tokens with a real OIDC issuer (mock-oauth2-server over HTTPS), both configured.
 *
 * <p>The client uses the generic profile {@code vpngw profile} writes ({@link
 * ClientIssuer#passwordOnlyProfile}: CA, a tls-crypt-v2 client key, {@code auth-user-pass}, no
 * {@code cert}/{@code key}) unmodified; only the credentials file is named on the command line
 * (the profile's bare {@code auth-user-pass} would prompt on a terminal the test does not have).
 *
 * <p>Covered: a RADIUS PAP password admits into the pool of its Class, ping through the tunnel; a
 * JWT as the password admits into its group's pool; a wrong password is refused with its reason;
 * the gateway does not ask for a certificate at all (openvpn's {@code verify-client-cert none}); a
 * live reload to certificate AND password makes the TLS handshake require the certificate at
 * once, and the reload back admits the password alone again; a live reload turning RADIUS off
 * ends the live RADIUS session at once (RESTART), OIDC still on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnPasswordOnlyInteropTest {
  private static final String DEFAULT_POOL = "10.217.0.0/24";
  private static final String ENGINEERING_POOL = "10.218.0.0/24";
  private static final String SECRET = "password-only-secret";
  private static final String AUDIENCE = "vpn-gateway";
  private static final Duration CONNECT = Duration.ofSeconds(60);
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: password-only
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
          certificate:
            builtInCa: false
          radius:
            servers:
              - address: %4$s
                secretRef: {name: radius-secret}
            timeout: 5s
            retries: 1
            passwordProtocol: PAP
            groupAttribute: Class
          oidc:
            issuerUrl: %5$s
            audience: %6$s
            issuerCaRef: {name: issuer-ca}
            groupsClaim: groups
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
        namespace: default
      stringData:
        secret: %7$s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: issuer-ca
        namespace: default
      stringData:
        ca.crt: |
      %8$s
      """;

  private NetnsLab lab;
  private FreeRadiusServer radius;
  private TestIssuer issuer;
  private ServedGateway gateway;
  private Path profile;
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("ping");
    Prerequisites.requireBinary("nft");
    Prerequisites.requireBinary("freeradius");
    Prerequisites.requireBinary("curl");
    Path java = Java25.find().orElse(Java25.current());
    lab = NetnsLab.create("ovpwd", "10.219.1.0/24", "10.219.2.0/24");
    lab.routeClientPoolFromBackend(DEFAULT_POOL);
    lab.routeClientPoolFromBackend(ENGINEERING_POOL);
    radius = FreeRadiusServer.builder(lab.workDir())
        .in(lab.backend())
        .listen(lab.backendAddress())
        .clients(lab.gatewayBackendAddress())
        .secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"")
        .user("bob", "bob-pw")
        .start();
    InetAddress outer = InetAddress.getByName(lab.gatewayOuterAddress());
    issuer = lab.gateway().callInside(() -> TestIssuer.startWithoutWarmUp(outer, 0));
    ExecResult warm = lab.gateway().exec(Duration.ofSeconds(60), "curl", "-sS", "-k",
        "--max-time", "45", "-o", "/dev/null", issuer.issuerUrl()
            + "/.well-known/openid-configuration");
    assertEquals(0, warm.exitCode(), warm.toString());
    String caIndented = issuer.caCertificatePem().strip().lines()
        .map(l -> "          " + l).reduce((a, b) -> a + "\n" + b).orElseThrow();
    dir = lab.workDir().resolve("gateway");
    StateDirectory state = ServedGateway.prepare(dir,
        GatewayFile.parse(GATEWAY_FILE.formatted(DEFAULT_POOL, ENGINEERING_POOL,
            "10.219.2.0/24", lab.backendAddress(), issuer.issuerUrl(), AUDIENCE, SECRET,
            caIndented), "password-only.yaml"),
        lab.gatewayOuterAddress());
    Path out = lab.workDir().resolve("profile");
    new ClientIssuer(state).passwordOnlyProfile(null, out, Instant.now());
    profile = out.resolve(ClientProfiles.OPENVPN);
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> {}, java);
  }

  @AfterAll
  void stop() {
    if (issuer != null) {
      issuer.close();
    }
    if (radius != null) {
      radius.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** The unmodified profile, with the credentials file given on the command line. */
  private LabProcess start(String name, String user, String password) throws Exception {
    Path credentials = lab.workDir().resolve(name + ".pass");
    Files.writeString(credentials, user + "\n" + password + "\n");
    return lab.client().start("openvpn-" + name, "openvpn", "--config", profile.toString(),
        "--auth-user-pass", credentials.toString());
  }

  private static String tunnelAddress(LabProcess client) {
    Matcher m = Pattern.compile("net_addr_v4_add: ([0-9.]+)/").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }

  private static boolean inPool(String address, String cidr) {
    return address.startsWith(cidr.substring(0, cidr.lastIndexOf('.') + 1));
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

  @Test
  void theRenderedProfileCarriesNoCertificate() throws Exception {
    String text = Files.readString(profile);
    assertFalse(text.contains("<cert>"), text);
    assertFalse(text.contains("<key>"), text);
    assertTrue(text.contains("<tls-crypt-v2>"), "the handshake stays behind tls-crypt-v2");
    assertTrue(text.contains("\nauth-user-pass\n"), text);
    assertTrue(text.contains("setenv IV_SSO webauth,crtext"), "OIDC configured: " + text);
  }

  @Test
  void aRadiusPasswordWithoutCertificateAdmitsIntoTheClassPool() throws Exception {
    try (LabProcess client = start("alice", "alice", "alice-pw")) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, ENGINEERING_POOL), "Class engineering -> " + address);
      PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(ping.received() >= 2, ping.output() + "\n" + gateway.process().tail());
      JsonNode s = session("alice", address);
      assertEquals("[\"engineering\"]", s.path("groups").toString());
      radius.awaitOutput("User-Password = \"alice-pw\"", Duration.ofSeconds(5));
    }
  }

  @Test
  void aUserWithoutGroupGetsTheDefaultPool() throws Exception {
    try (LabProcess client = start("bob", "bob", "bob-pw")) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertTrue(inPool(tunnelAddress(client), DEFAULT_POOL));
    }
  }

  @Test
  void anOidcTokenWithoutCertificateAdmitsIntoItsGroupsPool() throws Exception {
    String token = issuer.token("carol", AUDIENCE, Map.of("groups", List.of("engineering")), 600);
    try (LabProcess client = start("carol", "carol", token)) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, ENGINEERING_POOL), "groups [engineering] -> " + address);
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
      assertEquals("[\"engineering\"]", session("carol", address).path("groups").toString());
    }
    assertFalse(radius.output().contains("carol"), "a JWT never goes to the RADIUS server");
  }

  /**
   * A live reload that turns certificate authentication on with {@code
   * requireCertificateAndPassword}: the live password-only client is ended within 5 s (RESTART);
   * the TLS handshake requires a certificate from the next client on, so this profile's client fails there and its password never reaches RADIUS; the reload
   * back to password-only admits it again. (The TLS client-certificate mode was fixed at start:
   * the client was admitted by its password alone.)
   */
  @Test
  void aReloadToCertificateAndPasswordRequiresTheCertificateInTlsAndBackAdmitsAgain()
      throws Exception {
    Path config = gateway.directory().resolve("config.yaml");
    String passwordOnly = Files.readString(config, StandardCharsets.UTF_8);
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(passwordOnly);
    var auth = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("authentication");
    auth.putObject("certificate").put("builtInCa", true);
    auth.put("requireCertificateAndPassword", true);
    LabProcess live = start("bob-live-before", "bob", "bob-pw");
    try {
      live.awaitLine("Initialization Sequence Completed", CONNECT);
      replaceConfig(config, yaml.writeValueAsString(tree));
      // the live password-only session ends at once (RESTART), not at its renegotiation, and
      // its reconnect fails in TLS like a new client's
      live.awaitLine("server-pushed-connection-reset", Duration.ofSeconds(5));
      gateway.process().awaitLine(
          "of bob: the reloaded authentication settings no longer admit it",
          Duration.ofSeconds(5));
      Wait.untilAsserted("bob's session gone", Duration.ofSeconds(5), () -> {
        for (JsonNode s : gateway.sessions()) {
          assertFalse(s.path("identity").asText().equals("bob"), s.toString());
        }
      });
    } finally {
      live.close();
    }
    try {
      int before = countOf(radius.output(), "User-Name = \"bob\"");
      int failures = countOf(gateway.process().output(), "TLS handshake failed");
      try (LabProcess client = start("bob-reloaded", "bob", "bob-pw")) {
        String line = client.awaitLine("TLS Error|TLS_ERROR|alert", CONNECT);
        assertFalse(client.output().contains("Initialization Sequence Completed"), line);
        gateway.process().awaitOccurrences("TLS handshake failed", failures + 1, CONNECT);
      }
      assertEquals(before, countOf(radius.output(), "User-Name = \"bob\""),
          "the password never reached RADIUS");
    } finally {
      replaceConfig(config, passwordOnly);
    }
    try (LabProcess client = start("bob-back", "bob", "bob-pw")) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertTrue(inPool(tunnelAddress(client), DEFAULT_POOL));
    }
  }

  /**
   * A reload that turns RADIUS off on this gateway, which then has OIDC only and no certificate
   * authentication, ends the live RADIUS session at once: the gateway tells the client RESTART
   * within 5 s of the reload and the session leaves the management API, where before it stayed
   * until its renegotiation (up to reneg-sec, 1 h). (That an OIDC login stays is
   * LiveSessionRulesTest's; here the real client's view.) The client's reconnect with the auth
   * token its RADIUS login earned is refused ({@code AUTH_FAILED,AuthTokenInvalid}: the reload
   * changed the password methods on, and with them the key tokens are MACed with), and so is its
   * retry with the RADIUS password: it is not admitted again. Before, the token stood in for "a
   * password" whatever its method, and the client was back in as {@code auth-token} within ~2 s.
   */
  @Test
  void aReloadTurningRadiusOffEndsTheLiveRadiusSessionWithinFiveSeconds() throws Exception {
    Path config = gateway.directory().resolve("config.yaml");
    String withRadius = Files.readString(config, StandardCharsets.UTF_8);
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(withRadius);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("authentication"))
        .remove("radius");
    try (LabProcess client = start("bob-live", "bob", "bob-pw")) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      JsonNode live = session("bob", tunnelAddress(client));
      assertEquals("radius", live.path("authMethod").asText(), live.toString());
      String id = live.path("id").asText();
      try {
        replaceConfig(config, yaml.writeValueAsString(tree));
        long reloaded = System.nanoTime();
        client.awaitLine("server-pushed-connection-reset", Duration.ofSeconds(5));
        System.out.println("OpenVPN reload (RADIUS off): client told after "
            + (System.nanoTime() - reloaded) / 1_000_000 + " ms after the reload was logged");
        gateway.process().awaitLine("no longer admit it \\(CredentialsMissing\\)",
            Duration.ofSeconds(5));
        Wait.untilAsserted("the RADIUS session gone", Duration.ofSeconds(5), () -> {
          for (JsonNode s : gateway.sessions()) {
            assertFalse(s.path("id").asText().equals(id), s.toString());
            assertFalse(s.path("authMethod").asText().equals("radius"), s.toString());
          }
        });
        // the reconnect with the auth token pushed to the RADIUS login is refused
        String refused = client.awaitLine("AUTH_FAILED", CONNECT);
        assertTrue(refused.contains("AUTH_FAILED,AuthTokenInvalid"),
            refused + "\n" + gateway.process().tail());
        // openvpn 2.6 drops a refused token and retries with its password, refused too (RADIUS
        // is off now) every second or so: after two such refusals it has never got back in
        client.awaitOccurrences("AUTH_FAILED,CredentialsMissing", 2, CONNECT);
        assertEquals(1, countOf(client.output(), "Initialization Sequence Completed"),
            client.tail());
        for (JsonNode s : gateway.sessions()) {
          assertFalse(s.path("identity").asText().equals("bob"), s.toString());
        }
      } finally {
        replaceConfig(config, withRadius);
      }
    }
  }

  /** Replaces the running gateway's config.yaml as a Secret update would; waits for the reload. */
  private void replaceConfig(Path config, String text) throws Exception {
    int reloads = countOf(gateway.process().output(), "config reloaded");
    Path tmp = config.resolveSibling("config.yaml.tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    gateway.process().awaitOccurrences("config reloaded", reloads + 1, Duration.ofSeconds(30));
  }

  private static int countOf(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  @Test
  void aWrongPasswordIsRefusedWithItsReason() throws Exception {
    try (LabProcess client = start("mallory", "alice", "guess")) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,BadCredentials"), line);
    }
  }
}
