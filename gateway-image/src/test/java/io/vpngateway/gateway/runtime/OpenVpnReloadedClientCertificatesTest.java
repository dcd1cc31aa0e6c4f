package io.vpngateway.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.eaptls.EapTlsServer;
import io.vpngateway.gateway.auth.oidc.OidcService;
import io.vpngateway.gateway.auth.radius.RadiusService;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.ConfigSource;
import io.vpngateway.gateway.config.ReloadOutcome;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.openvpn.OpenVpnProtocolServer;
import io.vpngateway.gateway.protocol.ProtocolContext;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.testing.GatewayFixture;
import io.vpngateway.gateway.testing.OidcConfigs;
import io.vpngateway.gateway.testing.TestIssuer;
import io.vpngateway.gateway.tls.ServerTlsContext.ClientCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live config reload that turns password authentication (OIDC, RADIUS) or certificate
 * authentication on or off also changes whether the OpenVPN control channel's TLS asks for a
 * client certificate, with the gateway's own parts wired as {@link Gateway} wires them (config
 * source, certificate trust, OIDC service, pipeline from {@link Authentications}, the OpenVPN
 * protocol server's {@code apply}). The TLS side is checked by handshakes of a JSSE client that
 * has no certificate; the admission side by the pipeline every protocol calls.
 */
class OpenVpnReloadedClientCertificatesTest {
  private static final String AUDIENCE = "vpn-gateway";
  private static TestIssuer issuer;

  @TempDir Path dir;
  private ConfigSource source;
  private OidcService oidc;
  private AuthenticationPipeline pipeline;
  private OpenVpnProtocolServer openvpn;
  private RadiusService radius;
  private int callbackPort;

  @BeforeAll
  static void startIssuer() throws Exception {
    issuer = TestIssuer.startOnLoopback();
  }

  @AfterAll
  static void stopIssuer() {
    issuer.close();
  }

  @BeforeEach
  void prepare() throws Exception {
    GatewayFixture.preparedState(dir);
    callbackPort = OidcConfigs.freePort();
  }

  /** The gateway's parts on the config in {@code dir} (the minimal example unless rewritten). */
  private void start() throws Exception {
    source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    SessionRegistry registry = new SessionRegistry();
    CertificateTrust trust = new CertificateTrust(source.current(), registry);
    source.addListener(trust);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    oidc = OidcService.start(source.current(), loopback, Clock.systemUTC());
    source.addListener(oidc);
    radius = RadiusService.of(source.current()).orElse(null);
    if (radius != null) {
      source.addListener(radius);
    }
    pipeline = Authentications.pipeline(source, trust, radius, oidc); // as Gateway wires it
    GatewayConfig doc = source.current().document();
    openvpn =
        new OpenVpnProtocolServer(
            new ProtocolContext(
                source.current(),
                loopback,
                doc.listen(),
                10,
                doc.tunnel().mtu(),
                new Admission(pipeline, 10, new GatewayMetrics(registry)),
                null,
                registry,
                a -> null,
                null));
    // as the gateway does, after trust and OIDC took the new config
    source.addListener((before, after) -> openvpn.apply(after));
  }

  @AfterEach
  void stop() {
    if (openvpn != null) {
      openvpn.close();
    }
    if (oidc != null) {
      oidc.close();
    }
    if (radius != null) {
      radius.close();
    }
  }

  @Test
  void turningOidcOnLetsAClientWithoutCertificateThroughTlsAndOffAgainRequiresOne()
      throws Exception {
    start();
    assertEquals(ClientCertificates.REQUIRED, mode());
    assertFalse(handshakeWithoutCertificate(), "certificate-only: refused in the TLS handshake");

    reload(withOidc(doc()));
    assertEquals(ClientCertificates.REQUESTED, mode());
    assertTrue(handshakeWithoutCertificate(), "OIDC on: a token may stand in for a certificate");
    String jwt = issuer.token("u-1", AUDIENCE, Map.of("preferred_username", "alice"), 600);
    assertInstanceOf(AuthResult.Accepted.class, authenticateWithoutCertificate(jwt));
    String ourToken = authTokens().issue("alice", List.of(), Instant.now());
    assertInstanceOf(AuthResult.Accepted.class, authenticateWithoutCertificate(ourToken));

    reload(doc().withAuthentication(doc().authentication().withOidc(null)));
    assertEquals(ClientCertificates.REQUIRED, mode());
    assertFalse(handshakeWithoutCertificate(), "OIDC off again: a certificate is required");
    // and should a client without one get past TLS, neither kind of token admits it: ours,
    // issued while OIDC was on, is refused outright (turning a password method off changes the
    // key tokens are MACed with), and one issued now wants the certificate
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE, refusal(authenticateWithoutCertificate(jwt)));
    assertEquals(
        RefusalReason.AUTH_TOKEN_INVALID, refusal(authenticateWithoutCertificate(ourToken)));
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE,
        refusal(authenticateWithoutCertificate(
            authTokens().issue("alice", List.of(), Instant.now()))));
  }

  @Test
  void turningCertificatesOffAndPasswordsOnStopsAskingForACertificate() throws Exception {
    start();
    GatewayConfig certificateOnly = doc();
    GatewayConfig passwordOnly = withOidc(doc());
    passwordOnly =
        passwordOnly.withAuthentication(
            new GatewayConfig.Authentication(
                null, null, passwordOnly.authentication().oidc(), false));
    reload(passwordOnly);
    assertEquals(ClientCertificates.NONE, mode());
    assertTrue(handshakeWithoutCertificate());
    assertFalse(pipeline.acceptsCertificates(), "certificate authentication is off");

    reload(certificateOnly);
    assertEquals(ClientCertificates.REQUIRED, mode());
    assertFalse(handshakeWithoutCertificate());
  }

  /**
   * The token a certificate login earned (it records a certificate login) does not stand in for
   * the password once a reload turned certificate authentication off (OIDC on throughout); a
   * token from a password login still does. A token issued before OIDC was turned on is refused
   * outright (another password method on: another key tokens are MACed with).
   */
  @Test
  void aTokenPushedToACertificateOnlySessionDoesNotAdmitAfterAReloadToPasswordsOnly()
      throws Exception {
    start();
    Optional<Instant> none = Optional.empty();
    String beforeOidc =
        authTokens().issue("alice", List.of(), Instant.now(), none, AuthTokens.Proven.PASSWORD);
    reload(withOidc(doc()));
    assertEquals(
        RefusalReason.AUTH_TOKEN_INVALID, refusal(authenticateWithoutCertificate(beforeOidc)));
    String certificateLogin =
        authTokens().issue("alice", List.of(), Instant.now(), none, AuthTokens.Proven.CERTIFICATE);
    String passwordLogin =
        authTokens().issue("alice", List.of(), Instant.now(), none, AuthTokens.Proven.PASSWORD);
    GatewayConfig passwordOnly = withOidc(doc());
    passwordOnly =
        passwordOnly.withAuthentication(
            new GatewayConfig.Authentication(
                null, null, passwordOnly.authentication().oidc(), false));
    reload(passwordOnly);
    assertEquals(
        RefusalReason.CREDENTIALS_MISSING,
        refusal(authenticateWithoutCertificate(certificateLogin)));
    assertInstanceOf(AuthResult.Accepted.class, authenticateWithoutCertificate(passwordLogin));
  }

  @Test
  void turningRadiusOffRequiresTheCertificateAgainAndOnAgainNot() throws Exception {
    Files.writeString(dir.resolve("radius.secret"), "radius-test-secret");
    GatewayConfig certificateOnly = doc();
    GatewayConfig withRadius =
        certificateOnly.withAuthentication(
            new GatewayConfig.Authentication(
                certificateOnly.authentication().certificate(),
                new GatewayConfig.Radius(
                    List.of(
                        new GatewayConfig.RadiusServer(
                            "127.0.0.1", 1812, "radius.secret", 0, 0, 0)),
                    2000,
                    1,
                    "Class",
                    "PAP",
                    false,
                    0),
                null,
                false));
    Files.writeString(dir.resolve("config.yaml"), GatewayConfigCodec.write(withRadius));
    start();
    assertEquals(ClientCertificates.REQUESTED, mode());
    assertTrue(handshakeWithoutCertificate());

    reload(certificateOnly);
    assertEquals(ClientCertificates.REQUIRED, mode());
    assertFalse(handshakeWithoutCertificate(), "RADIUS off: a certificate is required");
    // a password no longer stands in for the certificate either
    assertEquals(
        RefusalReason.NO_CLIENT_CERTIFICATE, refusal(authenticateWithoutCertificate("secret")));

    reload(withRadius);
    assertEquals(ClientCertificates.REQUESTED, mode());
  }

  @Test
  void requiringCertificateAndPasswordByReloadRequiresTheCertificateInTls() throws Exception {
    start();
    reload(withOidc(doc()));
    assertEquals(ClientCertificates.REQUESTED, mode());
    GatewayConfig both = doc();
    both =
        both.withAuthentication(
            new GatewayConfig.Authentication(
                both.authentication().certificate(), null, both.authentication().oidc(), true));
    reload(both);
    assertEquals(ClientCertificates.REQUIRED, mode());
    assertTrue(pipeline.requiresCertificateAndPassword());
  }

  @Test
  void aRejectedReloadKeepsTheRunningMode() throws Exception {
    start();
    reload(withOidc(doc()));
    assertEquals(ClientCertificates.REQUESTED, mode());
    Files.writeString(dir.resolve("config.yaml"), "version: [not a config");
    assertEquals(ReloadOutcome.Result.REJECTED, source.reload().result());
    assertEquals(ClientCertificates.REQUESTED, mode());
    assertTrue(handshakeWithoutCertificate());
  }

  /**
   * The gateway's own EAP-TLS server (IKEv2 and SSTP EAP without RADIUS) follows certificate
   * authentication through reloads: a gateway started without it (OIDC only) refuses EAP, a
   * reload that turns certificates on hands out the EAP-TLS server without a restart, and one that
   * turns them off refuses EAP again. Needs Java 25 (the TLS key exporter).
   */
  @Test
  @Tag("java25")
  void theLocalEapTlsServerFollowsCertificateAuthenticationThroughReloads() throws Exception {
    GatewayConfig withCertificates = withOidc(doc());
    GatewayConfig passwordOnly =
        withCertificates.withAuthentication(
            new GatewayConfig.Authentication(
                null, null, withCertificates.authentication().oidc(), false));
    Files.writeString(dir.resolve("config.yaml"), GatewayConfigCodec.write(passwordOnly));
    start();
    assertEquals(
        RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
        assertThrows(AuthenticationException.class, pipeline::eapAlone).reason());

    reload(withCertificates);
    assertInstanceOf(EapTlsServer.class, pipeline.eapAlone());

    reload(passwordOnly);
    assertEquals(
        RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
        assertThrows(AuthenticationException.class, pipeline::eapAlone).reason());
  }

  // ------------------------------------------------------------------ helpers

  private GatewayConfig doc() throws Exception {
    return GatewayConfigCodec.read(Files.readString(dir.resolve("config.yaml")));
  }

  private GatewayConfig withOidc(GatewayConfig doc) throws Exception {
    Path ca = dir.resolve(io.vpngateway.api.config.GatewayConfigRenderer.OIDC_ISSUER_CA_FILE);
    Files.writeString(ca, issuer.caCertificatePem());
    return doc.withAuthentication(
        doc.authentication()
            .withOidc(
                OidcConfigs.oidc(
                    issuer.issuerUrl().toString(), AUDIENCE, null, List.of(), callbackPort, 0)));
  }

  private void reload(GatewayConfig next) throws Exception {
    Files.writeString(dir.resolve("config.yaml"), GatewayConfigCodec.write(next));
    ReloadOutcome outcome = source.reload();
    assertEquals(ReloadOutcome.Result.APPLIED, outcome.result(), outcome.message());
  }

  private ClientCertificates mode() {
    return openvpn.server().tls().clientCertificates();
  }

  private AuthTokens authTokens() {
    // what a replica with the same config MACs its tokens with
    byte[] key = Authentications.tokenKey(source.current()).orElseThrow();
    try {
      return new AuthTokens(key, Duration.ofHours(1));
    } finally {
      SecretBytes.wipe(key);
    }
  }

  private AuthResult authenticateWithoutCertificate(String password) throws Exception {
    ClientInfo client =
        new ClientInfo(
            VpnProtocol.OpenVPN, "ovpn-1", new InetSocketAddress("127.0.0.1", 40000), Map.of());
    return pipeline
        .authenticate(
            new ClientCredentials(
                client, List.of(), Optional.of(PasswordCredential.of("alice", password))))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static RefusalReason refusal(AuthResult r) {
    return assertInstanceOf(AuthResult.Refused.class, r).reason();
  }

  /**
   * A TLS handshake against a new engine of the OpenVPN server's current TLS context by a client
   * that has no certificate (it trusts any server: only the client side is under test): whether
   * it completes on both sides.
   */
  private boolean handshakeWithoutCertificate() throws Exception {
    SSLEngine server = openvpn.server().tls().newEngine();
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustAny()}, null);
    SSLEngine client = context.createSSLEngine("gateway", 1194);
    client.setUseClientMode(true);
    int size = 1 << 17;
    ByteBuffer toServer = ByteBuffer.allocate(size);
    ByteBuffer toClient = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size);
    client.beginHandshake();
    server.beginHandshake();
    try {
      for (int round = 0; round < 100; round++) {
        step(client, toClient, toServer, app);
        step(server, toServer, toClient, app);
        if (client.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
            && server.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
            && toServer.position() == 0
            && toClient.position() == 0) {
          return true;
        }
      }
      throw new AssertionError("the handshake neither completed nor failed");
    } catch (SSLException e) {
      return false;
    }
  }

  /** Lets {@code engine} consume what came in and write what it has to send. */
  private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app)
      throws SSLException {
    for (int i = 0; i < 20; i++) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
      } else if (hs == HandshakeStatus.NEED_WRAP) {
        engine.wrap(ByteBuffer.allocate(0), out);
      } else if (in.position() > 0) {
        in.flip();
        int before = in.remaining();
        app.clear();
        engine.unwrap(in, app);
        boolean consumed = in.remaining() < before;
        in.compact();
        if (!consumed && engine.getHandshakeStatus() == hs) {
          return;
        }
      } else {
        return;
      }
    }
  }

  private static final class TrustAny implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
