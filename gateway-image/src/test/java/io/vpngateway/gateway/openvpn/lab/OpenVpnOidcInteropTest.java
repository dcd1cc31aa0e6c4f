package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.gateway.standalone.GatewayFile;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real, unmodified openvpn 2.6 client against the production gateway ({@code bin/vpngw
 * serve}) with OIDC, the issuer a real one run by the test (mock-oauth2-server over HTTPS with a
 * CA of the test's own, given to the gateway as {@code issuerCaRef}). The gateway requires the
 * certificate AND the sign-in, as {@code examples/gateway-oidc.yaml}.
 *
 * <p>The issuer listens on the gateway namespace's outer address: it stands for an identity
 * provider on the internet that both the gateway and the user's browser reach. The "browser" is
 * {@code curl} in the client namespace, following the redirects as a browser would.
 *
 * <p>Covered: a JWT from the issuer as the password admits the client into the pool of its group
 * (ping through the tunnel); an expired token and one for another audience are refused with their
 * typed reasons, listed in {@code GET /refusals}; web sign-in ({@code setenv IV_SSO webauth}): the
 * client's management interface shows {@code >INFOMSG:WEB_AUTH::<url>}, curl follows it through
 * the issuer's authorization endpoint back to the gateway's callback, and the waiting client is
 * admitted with the ID token's group; a client without IV_SSO and without token is refused at
 * once; certificate AND token: either alone is refused (the certificate alone {@code
 * CredentialsMissing}, the token alone in the TLS handshake).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnOidcInteropTest {
  private static final String DEFAULT_POOL = "10.214.0.0/24";
  private static final String ENGINEERING_POOL = "10.215.0.0/24";
  private static final String AUDIENCE = "vpn-gateway";
  private static final String CLIENT_ID = "vpn-gateway-web";
  private static final int CALLBACK_PORT = 8443;
  private static final Duration CONNECT = Duration.ofSeconds(60);
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: oidc-interop
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
          oidc:
            issuerUrl: %4$s
            audience: %5$s
            clientId: %6$s
            issuerCaRef: {name: issuer-ca}
            groupsClaim: groups
            redirectUrl: https://%7$s:%8$d/oidc/callback
            callbackPort: %8$d
            signInTimeout: 60s
            clockSkew: 5s
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: issuer-ca
        namespace: default
      stringData:
        ca.crt: |
      %9$s
      """;

  private NetnsLab lab;
  private TestIssuer issuer;
  private OpenVpnClients clients;
  private ServedGateway gateway;
  private Path browserTrust;
  private int port;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("ping");
    Prerequisites.requireBinary("nft");
    Prerequisites.requireBinary("curl");
    Path java = Java25.find().orElse(Java25.current());
    lab = NetnsLab.create("ovoidc", "10.216.1.0/24", "10.216.2.0/24");
    lab.routeClientPoolFromBackend(DEFAULT_POOL);
    lab.routeClientPoolFromBackend(ENGINEERING_POOL);
    // bound from a thread inside the gateway namespace, so the socket lives there
    InetAddress outer = InetAddress.getByName(lab.gatewayOuterAddress());
    issuer = lab.gateway().callInside(() -> TestIssuer.startWithoutWarmUp(outer, 0));
    Path dir = lab.workDir().resolve("gateway");
    String caIndented = issuer.caCertificatePem().strip().lines()
        .map(l -> "          " + l).reduce((a, b) -> a + "\n" + b).orElseThrow();
    var state = ServedGateway.prepare(dir,
        GatewayFile.parse(GATEWAY_FILE.formatted(DEFAULT_POOL, ENGINEERING_POOL,
            "10.216.2.0/24", issuer.issuerUrl(), AUDIENCE, CLIENT_ID, lab.gatewayOuterAddress(),
            CALLBACK_PORT, caIndented), "oidc-interop.yaml"),
        lab.gatewayOuterAddress());
    clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
    browserTrust = clients.dir().resolve("browser-trust.pem");
    Files.writeString(browserTrust,
        Files.readString(clients.dir().resolve("ca.pem")).strip() + "\n"
            + issuer.caCertificatePem().strip() + "\n");
    // the mock's first answers are slow (class loading, TLS): warm it up from the client side
    ExecResult warm = curl(issuer.issuerUrl() + "/.well-known/openid-configuration");
    assertEquals(0, warm.exitCode(), warm.toString());
    gateway = ServedGateway.start(lab.gateway(), dir, doc -> {}, java);
    port = gateway.config().listen().openvpnUdp();
  }

  @AfterAll
  void stop() {
    if (issuer != null) {
      issuer.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** curl in the client namespace, trusting the gateway's CA and the issuer's, following links. */
  private ExecResult curl(String url) {
    return lab.client().exec(Duration.ofSeconds(60), "curl", "-sS", "-L", "--max-redirs", "5",
        "--cacert", browserTrust.toString(), "--max-time", "45",
        "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", url);
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

  private LabProcess start(String name, Path config) {
    return lab.client().start("openvpn-" + name, "openvpn", "--config", config.toString());
  }

  private static String tunnelAddress(LabProcess client) {
    Matcher m = Pattern.compile("net_addr_v4_add: ([0-9.]+)/").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }

  private static boolean inPool(String address, String cidr) {
    return address.startsWith(cidr.substring(0, cidr.lastIndexOf('.') + 1));
  }

  private JsonNode session(String identity) throws Exception {
    for (JsonNode s : gateway.sessions()) {
      if (s.path("identity").asText().equals(identity)) {
        return s;
      }
    }
    throw new AssertionError("no session of " + identity + ": " + gateway.sessions());
  }

  private JsonNode lastRefusal() throws Exception {
    JsonNode all = gateway.refusals();
    assertTrue(all.size() > 0, all.toString());
    return all.get(all.size() - 1);
  }

  @Test
  void aTokenAsThePasswordAdmitsIntoThePoolOfItsGroup() throws Exception {
    String token = issuer.token("alice", AUDIENCE, Map.of("groups", List.of("engineering")), 600);
    try (LabProcess client = start("alice", passwordConfig("alice", "alice", token))) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, ENGINEERING_POOL), "groups [engineering] -> " + address);
      PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(ping.received() >= 2, ping.output() + "\n" + gateway.process().tail());
      JsonNode s = session("alice");
      assertEquals("[\"engineering\"]", s.path("groups").toString());
      assertEquals(address, s.path("innerAddress").asText());
    }
    assertFalse(gateway.process().output().contains(token), "the token is never logged");
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() throws Exception {
    String token = issuer.token("bob", AUDIENCE, Map.of("groups", List.of("engineering")), -600);
    assertRefused("bob", token, "TokenExpired");
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() throws Exception {
    String token = issuer.token("carol", "some-other-app", Map.of(), 600);
    assertRefused("carol", token, "TokenAudienceMismatch");
  }

  private void assertRefused(String name, String token, String reason) throws Exception {
    try (LabProcess client = start(name, passwordConfig(name, name, token))) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED," + reason), line);
      assertFalse(client.output().contains("Initialization Sequence Completed"));
    }
    Wait.untilAsserted("the refusal in GET /refusals", Duration.ofSeconds(10), () -> {
      JsonNode last = lastRefusal();
      assertEquals(reason, last.path("reason").asText(), last.toString());
      assertEquals("OpenVPN", last.path("protocol").asText(), last.toString());
    });
  }

  @Test
  void withoutTokenAndWithoutIvSsoTheClientIsRefusedAtOnce() throws Exception {
    try (LabProcess client = start("dave", passwordConfig("dave", "dave", "not-a-token"))) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,AuthMethodNotSupported"), line);
    }
  }

  /**
   * Cutting a user off: a session lives no longer than the token that admitted it (+ clockSkew,
   * 5 s here). The gateway ends it (RESTART to the client), and the client's automatic reconnect
   * with the gateway's auth token is refused too: that token expired with the sign-in. A disabled
   * user gets no new token, so this is the longest they keep access.
   */
  @Test
  void aSessionEndsWhenItsTokenExpiresAndItsReconnectIsRefused() throws Exception {
    long ttl = 25;
    String token = issuer.token("henry", AUDIENCE, Map.of("groups", List.of("engineering")), ttl);
    long issued = System.nanoTime();
    try (LabProcess client = start("henry", passwordConfig("henry", "henry", token))) {
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      assertEquals("henry", session("henry").path("identity").asText());
      gateway.process().awaitLine("of henry ended: its sign-in expired", Duration.ofSeconds(90));
      long seconds = Duration.ofNanos(System.nanoTime() - issued).toSeconds();
      assertTrue(seconds >= ttl, "not before the token's exp: " + seconds + " s");
      assertTrue(seconds <= ttl + 5 + 5 + 15, "ended " + seconds + " s after the token was issued"
          + " (ttl " + ttl + " s + skew 5 s + scan 5 s + slack)");
      Wait.untilAsserted("henry's session gone", Duration.ofSeconds(15), () -> {
        for (JsonNode s : gateway.sessions()) {
          assertFalse(s.path("identity").asText().equals("henry"), s.toString());
        }
      });
      String refused = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(refused.contains("AuthTokenExpired") || refused.contains("TokenExpired"),
          refused);
      assertEquals(1, countOf(client.output(), "Initialization Sequence Completed"),
          "never back in: " + client.tail());
    }
  }

  /** Certificate AND token required: the certificate alone is refused. */
  @Test
  void aCertificateWithoutTokenIsRefused() throws Exception {
    clients.client("frank");
    Path config = clients.config("frank", "udp", lab.gatewayOuterAddress(), port);
    try (LabProcess client = start("frank", config)) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED,CredentialsMissing"), line);
    }
  }

  /** Certificate AND token required: a valid token from a client without certificate is refused. */
  @Test
  void aTokenWithoutCertificateIsRefusedInTheTlsHandshake() throws Exception {
    String token = issuer.token("grace", AUDIENCE, Map.of("groups", List.of("engineering")), 600);
    Path credentials = clients.dir().resolve("grace.pass");
    Files.writeString(credentials, "grace\n" + token + "\n");
    Path config = clients.configWithoutCertificate("grace", "udp", lab.gatewayOuterAddress(),
        port, "auth-user-pass " + credentials);
    int failures = countOf(gateway.process().output(), "TLS handshake failed");
    try (LabProcess client = start("grace", config)) {
      client.awaitLine("TLS Error|TLS_ERROR|alert", CONNECT);
      gateway.process().awaitOccurrences("TLS handshake failed", failures + 1, CONNECT);
      assertFalse(client.output().contains("Initialization Sequence Completed"));
    }
    for (JsonNode s : gateway.sessions()) {
      assertFalse(s.path("identity").asText().equals("grace"), s.toString());
    }
  }

  private static int countOf(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  @Test
  void webSignInThroughTheIssuerAdmitsTheWaitingClient() throws Exception {
    issuer.nextSignIn("erin", CLIENT_ID, Map.of("groups", List.of("engineering")));
    Path socket = lab.workDir().resolve("webauth.sock");
    clients.client("erin");
    Path config = clients.config("erin", "udp", lab.gatewayOuterAddress(), port,
        "auth-user-pass", "management " + socket + " unix", "management-query-passwords",
        "auth-retry interact", "setenv IV_SSO webauth");
    try (LabProcess client = start("erin", config);
        OpenVpnManagement m = OpenVpnManagement.connect(socket, CONNECT)) {
      m.await(">PASSWORD:Need 'Auth' username/password", CONNECT);
      m.login("erin", "sign-in-on-the-web");
      Matcher url = m.await(">INFOMSG:WEB_AUTH::(https://\\S+)", CONNECT);
      String link = url.group(1);
      assertTrue(link.startsWith("https://" + lab.gatewayOuterAddress() + ":" + CALLBACK_PORT
          + "/oidc/start/"), link);
      assertFalse(client.output().contains("Initialization Sequence Completed"),
          "the client waits for the sign-in");
      ExecResult browser = curl(link);
      assertEquals(0, browser.exitCode(), browser.toString());
      assertTrue(browser.output().contains("200 https://" + lab.gatewayOuterAddress() + ":"
          + CALLBACK_PORT + "/oidc/callback?"), browser.output());
      client.awaitLine("Initialization Sequence Completed", CONNECT);
      String address = tunnelAddress(client);
      assertTrue(inPool(address, ENGINEERING_POOL), "the ID token's group -> " + address);
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
      assertEquals(address, session("erin").path("innerAddress").asText());
    }
  }
}
