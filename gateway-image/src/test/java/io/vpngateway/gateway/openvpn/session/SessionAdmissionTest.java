package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admission part of an OpenVPN session, against a stand-in server (no socket, no TLS). */
class SessionAdmissionTest {
  private static final CertificateAuthority CA =
      CertificateAuthority.create("adm", KeySpec.EC_P256, Instant.now());
  private static final X509Certificate[] CHAIN = {CA.certificate()};
  private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.8", 5000);

  private final SessionRegistry registry = new SessionRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final List<Runnable> controlThread = new ArrayList<>();
  private final AtomicInteger leasesOut = new AtomicInteger();
  private boolean poolEmpty;
  private ClientIdentity certificateIdentity =
      new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "aa", null);
  private CompletableFuture<AuthResult> passwordAnswer;
  private AuthenticationException certificateRefusal;
  /** Certificate authentication on in the running config (a reload may turn it off). */
  private boolean certificatesOn = true;
  /** The password backend on in the running config (a reload may turn RADIUS on and off). */
  private boolean passwordsOn = true;
  /** requireCertificateAndPassword in the running config. */
  private boolean requireBoth;
  private final List<PasswordCredential> offeredPasswords = new ArrayList<>();
  private java.time.Duration backendLongest = java.time.Duration.ofSeconds(5);
  private final DynamicChallenges challenges = new DynamicChallenges();
  /** What the conversation told the client while it waited (AUTH_PENDING, INFO_PRE). */
  private final List<Told> told = new ArrayList<>();

  record Told(java.time.Duration timeout, List<String> messages) {}

  private final AddressAllocator allocator =
      (client, protocol) -> {
        if (poolEmpty) {
          return Optional.empty();
        }
        leasesOut.incrementAndGet();
        return Optional.of(
            new AddressLease(
                (Inet4Address) address("10.9.0.2"),
                24,
                (Inet4Address) address("10.9.0.1"),
                leasesOut::decrementAndGet));
      };

  private Admission admission(int capacity) {
    AuthenticationPipeline.Builder b =
        AuthenticationPipeline.builder()
            .certificates(
                chain -> {
                  if (certificateRefusal != null) {
                    throw certificateRefusal;
                  }
                  return certificateIdentity;
                },
                () -> certificatesOn)
            .requireCertificateAndPassword(() -> requireBoth);
    if (passwordAnswer != null) {
      b.password(
          new PasswordAuthenticator() {
            @Override
            public boolean active() {
              return passwordsOn;
            }

            @Override
            public java.time.Duration longestAnswer() {
              return backendLongest;
            }

            @Override
            public CompletableFuture<AuthResult> authenticate(
                Optional<PasswordCredential> credential, ClientInfo client) {
              offeredPasswords.add(credential.orElseThrow());
              return passwordAnswer;
            }
          });
    }
    return new Admission(b.build(), capacity, metrics);
  }

  private static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A session whose inner address is the admission's lease, as OpenVpnClientSession's is. */
  private final class Session implements TunnelSession {
    SessionAdmission admission;
    long bytesIn;
    String closedWith;

    @Override
    public String id() {
      return "ovpn-t";
    }

    @Override
    public VpnProtocol protocol() {
      return VpnProtocol.OpenVPN;
    }

    @Override
    public ClientIdentity identity() {
      return admission.identity();
    }

    @Override
    public Inet4Address innerAddress() {
      return admission.lease().address();
    }

    @Override
    public InetSocketAddress outerAddress() {
      return REMOTE;
    }

    @Override
    public Instant since() {
      return Instant.EPOCH;
    }

    @Override
    public String cipher() {
      return "";
    }

    @Override
    public long bytesIn() {
      return bytesIn;
    }

    @Override
    public long bytesOut() {
      return 0;
    }

    @Override
    public void deliverFromTun(ByteBuffer ipPacket) {}

    @Override
    public void close(String reason) {
      closedWith = reason;
    }
  }

  /** The server's admitted sessions by name, shared by every admission of a test. */
  private final AdmittedSessions admitted = new AdmittedSessions();

  /** Every stand-in session made, in order. */
  private final List<Session> sessions = new ArrayList<>();

  private SessionAdmission newAdmission(Admission gatewayAdmission) throws Exception {
    OpenVpnServerSettings settings =
        OpenVpnServerSettings.builder()
            .serverCredentials(List.of(CA.certificate()), io.vpngateway.api.pki.Pem.decodePrivateKey(CA.privateKeyPem()))
            .dataCiphers(List.of(DataCipherSuite.CHACHA20_POLY1305, DataCipherSuite.AES_256_GCM))
            .build();
    SessionHost host =
        new SessionHost() {
          @Override
          public OpenVpnServerSettings settings() {
            return settings;
          }

          @Override
          public io.vpngateway.gateway.tls.ServerTlsContext tls() {
            throw new UnsupportedOperationException();
          }

          @Override
          public Admission admission() {
            return gatewayAdmission;
          }

          @Override
          public AddressAllocator allocator() {
            return allocator;
          }

          @Override
          public SessionRegistry registry() {
            return registry;
          }

          @Override
          public InnerPacketSink sinkFor(Inet4Address clientAddress) {
            return p -> {};
          }

          @Override
          public OpenVpnServerStats stats() {
            return new OpenVpnServerStats();
          }

          @Override
          public DynamicChallenges challenges() {
            return challenges;
          }

          @Override
          public AdmittedSessions admittedSessions() {
            return admitted;
          }

          @Override
          public void runOnControlThread(Runnable task) {
            controlThread.add(task);
          }

          @Override
          public void floated(OpenVpnClientSession session, InetSocketAddress oldRemote) {}

          @Override
          public void authenticated(OpenVpnClientSession session) {}

          @Override
          public void established(OpenVpnClientSession session) {}

          @Override
          public void closed(OpenVpnClientSession session) {}
        };
    Session session = new Session();
    session.admission = new SessionAdmission(host, session, () -> REMOTE);
    sessions.add(session);
    return session.admission;
  }

  private static KeyMethod2Client keyMethod(String ciphers, String password) {
    return new KeyMethod2Client(
        new byte[48],
        new byte[32],
        new byte[32],
        "V4",
        password.isEmpty() ? "" : "alice",
        password,
        PeerInfo.parse("IV_VER=2.6.14\nIV_PROTO=990\nIV_CIPHERS=" + ciphers + "\n"));
  }

  private Optional<RefusalReason> admitNow(SessionAdmission a, KeyMethod2Client km) {
    CompletableFuture<Optional<RefusalReason>> d = admit(a, km);
    assertTrue(d.isDone(), "certificates decide at once");
    return d.join();
  }

  private CompletableFuture<Optional<RefusalReason>> admit(SessionAdmission a, KeyMethod2Client km) {
    return admitWithText(a, km, CHAIN).thenApply(r -> r.map(SessionAdmission.Refusal::reason));
  }

  private CompletableFuture<Optional<SessionAdmission.Refusal>> admitWithText(
      SessionAdmission a, KeyMethod2Client km, X509Certificate[] chain) {
    return a.admit(chain, km, () -> false, (wait, messages) -> told.add(new Told(wait, messages)));
  }

  @Test
  void anAdmittedClientHoldsAConnectionAnAddressAndItsRegistration() throws Exception {
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    assertEquals(Optional.empty(), admitNow(a, keyMethod("AES-256-GCM:AES-128-GCM", "")));
    assertEquals("alice", a.identity().name());
    assertEquals(DataCipherSuite.AES_256_GCM, a.cipher(), "server order among the client's");
    assertEquals(1, registry.size());
    assertEquals(1, gateway.inUse());
    assertEquals(1, leasesOut.get());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));

    a.release(RefusalReason.INTERNAL_ERROR, "closing");
    a.release(RefusalReason.INTERNAL_ERROR, "closing twice");
    assertEquals(0, registry.size());
    assertEquals(0, gateway.inUse());
    assertEquals(0, leasesOut.get());
    assertEquals(List.of(), gateway.refusals().recent(), "an admitted session is no refusal");
  }

  @Test
  void refusalsAfterAuthenticationGiveEverythingBack() throws Exception {
    Admission gateway = admission(5);
    assertEquals(
        Optional.of(RefusalReason.NO_COMMON_CIPHER),
        admitNow(newAdmission(gateway), keyMethod("BF-CBC", "")));
    poolEmpty = true;
    assertEquals(
        Optional.of(RefusalReason.ADDRESS_POOL_EXHAUSTED),
        admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(0, gateway.inUse());
    assertEquals(
        List.of("NoCommonCipher", "AddressPoolExhausted"),
        gateway.refusals().recent().stream().map(r -> r.reason()).toList());
  }

  @Test
  void theBudgetIsTheGatewaysNotTheServers() throws Exception {
    Admission gateway = admission(1);
    assertEquals(Optional.empty(), admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    certificateIdentity =
        new ClientIdentity("bob", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "bb", null);
    assertEquals(
        Optional.of(RefusalReason.MAX_CONNECTIONS_REACHED),
        admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(1, leasesOut.get(), "the refused client got no address");
    assertNull(sessions.get(0).closedWith, "alice's session is not bob's to end");
  }

  @Test
  void aClientsNewConnectionTakesTheConnectionOfItsOlderOneThatNeverCarriedData() throws Exception {
    // alice's first connection was admitted after she had given up on it (the gateway was
    // behind); she came back from a new port: her new connection must not find the budget
    // used up by her own abandoned one, which would hold it until its ping-restart
    Admission gateway = admission(1);
    assertEquals(Optional.empty(), admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertEquals(Optional.empty(), admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));

    assertEquals(1, gateway.inUse());
    assertEquals(1, leasesOut.get());
    assertEquals(1, registry.size());
    assertEquals(1, admitted.size());
    assertTrue(sessions.get(0).closedWith.startsWith("superseded"), sessions.get(0).closedWith);
    assertNull(sessions.get(1).closedWith);
    assertEquals(List.of(), gateway.refusals().recent());
    assertEquals(2, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));

    sessions.get(0).admission.release(RefusalReason.INTERNAL_ERROR, "closed at last");
    assertEquals(1, gateway.inUse(), "the old session's end gives back nothing twice");
    assertEquals(1, leasesOut.get());
    sessions.get(1).admission.release(RefusalReason.INTERNAL_ERROR, "closed");
    assertEquals(0, gateway.inUse());
    assertEquals(0, admitted.size());
  }

  @Test
  void anOlderConnectionThatCarriedDataIsKept() throws Exception {
    // two devices may share a certificate: a connection in use is never ended for another
    Admission gateway = admission(1);
    assertEquals(Optional.empty(), admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    sessions.get(0).bytesIn = 84;
    assertEquals(
        Optional.of(RefusalReason.MAX_CONNECTIONS_REACHED),
        admitNow(newAdmission(gateway), keyMethod("AES-256-GCM", "")));
    assertNull(sessions.get(0).closedWith);
    assertEquals(1, gateway.inUse());
    assertEquals(1, registry.size());
  }

  @Test
  void aLaterAnswerIsTakenOnTheControlThread() throws Exception {
    passwordAnswer = new CompletableFuture<>();
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("AES-256-GCM", "secret"));
    assertFalse(d.isDone());

    Thread backend =
        new Thread(
            () ->
                passwordAnswer.complete(
                    AuthResult.accepted(
                        ClientIdentity.of("alice", List.of("vpn"), AuthMethod.RADIUS, "r"))));
    backend.start();
    backend.join();
    assertFalse(d.isDone(), "nothing happens off the control thread");
    assertFalse(controlThread.isEmpty());
    runControlThread();

    assertEquals(Optional.empty(), d.join());
    assertEquals(AuthMethod.RADIUS, a.identity().method());
    assertEquals("aa", a.identity().certificateSha256(), "bound to the certificate too");
    assertEquals(1, gateway.inUse());
  }

  @Test
  void aSessionThatEndsWhileWaitingIsRefusedOnceAndALateAnswerIgnored() throws Exception {
    passwordAnswer = new CompletableFuture<>();
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("AES-256-GCM", "secret"));
    a.release(RefusalReason.AUTH_TIMEOUT, "no answer");
    passwordAnswer.complete(
        AuthResult.accepted(ClientIdentity.of("alice", List.of(), AuthMethod.RADIUS, "r")));
    controlThread.forEach(Runnable::run);

    assertEquals(Optional.of(RefusalReason.AUTH_TIMEOUT), d.join());
    assertEquals(0, gateway.inUse());
    assertEquals(0, leasesOut.get());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "AuthTimeout"));
    assertEquals(0, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));
  }

  @Test
  void aRenegotiationMayRenewTheCertificateButNotChangeWhoOrWhichGroups() throws Exception {
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    KeyMethod2Client km = keyMethod("AES-256-GCM", "");
    admitNow(a, km);
    certificateIdentity =
        new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "bb", null);
    assertNull(a.reauthenticate(CHAIN, km));
    assertEquals("bb", a.identity().certificateSha256(), "the renewed certificate is kept");

    certificateIdentity =
        new ClientIdentity("alice", List.of("ops"), AuthMethod.CERTIFICATE, "CN=adm", "cc", null);
    assertEquals(RefusalReason.IDENTITY_CHANGED, a.reauthenticate(CHAIN, km));
    assertEquals("IdentityChanged", gateway.refusals().recent().get(0).reason());
  }

  /**
   * A certificate session admitted with an auth token cut short by its sign-in's end (the
   * identity carries that end) keeps the end through a renegotiation's certificate re-check, or
   * SignInExpiry would never end it and the next pushed token would not be capped.
   */
  @Test
  void aRenegotiationKeepsTheSignInEndOfTheAdmission() throws Exception {
    java.time.Instant end = java.time.Instant.parse("2026-12-07T06:00:00Z");
    certificateIdentity =
        new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "aa", null)
            .withAssignment(io.vpngateway.gateway.auth.ServerAssignment.until(end));
    SessionAdmission a = newAdmission(admission(5));
    KeyMethod2Client km = keyMethod("AES-256-GCM", "");
    admitNow(a, km);
    certificateIdentity =
        new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE, "CN=adm", "bb", null);
    assertNull(a.reauthenticate(CHAIN, km));
    assertEquals("bb", a.identity().certificateSha256());
    assertEquals(Optional.of(end), a.identity().assigned().notAfter());
  }

  /**
   * A reload turned certificate authentication off: at its next renegotiation a password session
   * that also showed a certificate goes on (the certificate plays no part any more), a session
   * that the certificate alone admitted ends.
   */
  @Test
  void aRenegotiationAfterAReloadTurnedCertificatesOff() throws Exception {
    passwordAnswer = CompletableFuture.completedFuture(radiusAccept("alice"));
    SessionAdmission byPassword = newAdmission(admission(5));
    KeyMethod2Client km = keyMethod("alice", "pw", "IV_PROTO=990\n");
    CompletableFuture<Optional<RefusalReason>> d = admit(byPassword, km);
    runControlThread();
    assertEquals(Optional.empty(), d.join());
    assertTrue(byPassword.identity().usedCertificate(), "the certificate was checked too");
    passwordAnswer = null;
    SessionAdmission byCertificate = newAdmission(admission(5));
    KeyMethod2Client plain = keyMethod("AES-256-GCM", "");
    assertEquals(Optional.empty(), admitNow(byCertificate, plain));

    certificatesOn = false;
    assertNull(byPassword.reauthenticate(CHAIN, km));
    assertEquals(RefusalReason.CREDENTIALS_MISSING, byCertificate.reauthenticate(CHAIN, plain));
  }

  /**
   * A reload to certificate AND password: at its next renegotiation a session the certificate
   * alone admitted ends (its certificate still passes, but no password was ever proven), a
   * session that proved both goes on.
   */
  @Test
  void aRenegotiationAfterAReloadRequiringCertificateAndPasswordEndsACertificateOnlySession()
      throws Exception {
    passwordAnswer = CompletableFuture.completedFuture(radiusAccept("alice"));
    passwordsOn = false; // a certificate-only gateway
    Admission gateway = admission(5);
    SessionAdmission byCertificate = newAdmission(gateway);
    KeyMethod2Client plain = keyMethod("AES-256-GCM", "");
    assertEquals(Optional.empty(), admitNow(byCertificate, plain));
    passwordsOn = true;
    SessionAdmission byBoth = newAdmission(gateway);
    KeyMethod2Client km = keyMethod("alice", "pw", "IV_PROTO=990\n");
    CompletableFuture<Optional<RefusalReason>> d = admit(byBoth, km);
    runControlThread();
    assertEquals(Optional.empty(), d.join());

    requireBoth = true;
    assertEquals(RefusalReason.CREDENTIALS_MISSING, byCertificate.reauthenticate(CHAIN, plain));
    assertEquals("CredentialsMissing", gateway.refusals().recent().get(0).reason());
    assertNull(byBoth.reauthenticate(CHAIN, km));
  }

  /**
   * A password session admitted without a certificate, then a reload that requires one
   * (certificate-only, or certificate AND password): OpenVPN's TLS only collects a certificate,
   * so the renegotiation checks the chain shown; one that fails (a crafted self-signed one) ends
   * the session, one that passes is bound to it.
   */
  @Test
  void aPasswordSessionIsHeldToACertificateRequirementAddedByAReload() throws Exception {
    passwordAnswer = CompletableFuture.completedFuture(radiusAccept("alice"));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    SessionAdmission b = newAdmission(gateway);
    KeyMethod2Client km = keyMethod("alice", "pw", "IV_PROTO=990\n");
    X509Certificate[] none = new X509Certificate[0];
    CompletableFuture<Optional<SessionAdmission.Refusal>> da = admitWithText(a, km, none);
    CompletableFuture<Optional<SessionAdmission.Refusal>> db = admitWithText(b, km, none);
    runControlThread();
    assertEquals(Optional.empty(), da.join());
    assertEquals(Optional.empty(), db.join());
    assertFalse(a.identity().usedCertificate());

    requireBoth = true;
    certificateRefusal =
        new AuthenticationException(RefusalReason.UNTRUSTED_ISSUER, "self-signed");
    assertEquals(RefusalReason.UNTRUSTED_ISSUER, a.reauthenticate(CHAIN, km));
    certificateRefusal = null;
    assertNull(b.reauthenticate(CHAIN, km));
    assertEquals("aa", b.identity().certificateSha256(), "the certificate shown is bound");
    assertEquals(AuthMethod.RADIUS, b.identity().method());

    requireBoth = false;
    SessionAdmission c = newAdmission(gateway);
    CompletableFuture<Optional<SessionAdmission.Refusal>> dc = admitWithText(c, km, none);
    runControlThread();
    assertEquals(Optional.empty(), dc.join());
    passwordsOn = false; // a reload to certificate-only
    certificateRefusal =
        new AuthenticationException(RefusalReason.UNTRUSTED_ISSUER, "self-signed");
    assertEquals(RefusalReason.UNTRUSTED_ISSUER, c.reauthenticate(CHAIN, km));
  }

  /**
   * A login pending (web sign-in, challenge, slow backend) when a reload requires a certificate
   * AND a password completes under the rules in force then: without a certificate it is refused,
   * and gives back what it held.
   */
  @Test
  void aLoginPendingWhenAReloadTightensTheRulesIsHeldToTheNewRules() throws Exception {
    CompletableFuture<AuthResult> outcome = new CompletableFuture<>();
    passwordAnswer =
        CompletableFuture.completedFuture(
            new AuthResult.Pending(
                java.net.URI.create("https://gw.example/start/abc"),
                java.time.Duration.ofSeconds(300),
                outcome));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<SessionAdmission.Refusal>> d =
        admitWithText(
            a, keyMethod("alice", "x", "IV_PROTO=990\nIV_SSO=webauth\n"), new X509Certificate[0]);
    runControlThread();
    assertFalse(d.isDone());

    requireBoth = true;
    outcome.complete(radiusAccept("alice"));
    runControlThread();
    assertEquals(
        Optional.of(RefusalReason.NO_CLIENT_CERTIFICATE),
        d.join().map(SessionAdmission.Refusal::reason));
    assertEquals(0, gateway.inUse());
    assertEquals(0, leasesOut.get());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "NoClientCertificate"));
  }

  // ---------------------------------------------------------------- the conversation (AuthConversation)

  private static KeyMethod2Client keyMethod(String user, String password, String peerInfo) {
    return new KeyMethod2Client(
        new byte[48], new byte[32], new byte[32], "V4", user, password,
        PeerInfo.parse("IV_VER=2.6.14\nIV_CIPHERS=AES-256-GCM\n" + peerInfo));
  }

  private void runControlThread() {
    while (!controlThread.isEmpty()) {
      controlThread.remove(0).run();
    }
  }

  private static AuthResult radiusAccept(String name) {
    return AuthResult.accepted(ClientIdentity.of(name, List.of("vpn"), AuthMethod.RADIUS, "r"));
  }

  /** A challenge whose responder records the answers and accepts "123456". */
  private AuthResult.Challenge challenge(List<PasswordCredential> answers) {
    return new AuthResult.Challenge(
        "Enter the code\nfrom your token",
        true,
        java.time.Duration.ofSeconds(120),
        answer -> {
          answers.add(answer);
          return CompletableFuture.completedFuture(
              answer.passwordText().equals("123456")
                  ? radiusAccept(answer.username())
                  : AuthResult.refused(RefusalReason.BAD_CREDENTIALS, "wrong code"));
        });
  }

  @Test
  void aPendingSignInTellsTheClientWhereAndAdmitsWithTheOutcome() throws Exception {
    CompletableFuture<AuthResult> outcome = new CompletableFuture<>();
    passwordAnswer =
        CompletableFuture.completedFuture(
            new AuthResult.Pending(
                java.net.URI.create("https://gw.example/start/abc"),
                java.time.Duration.ofSeconds(300),
                outcome));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("alice", "x", "IV_PROTO=990\nIV_SSO=webauth\n"));
    assertTrue(told.isEmpty(), "nothing before the session's key-method reply");
    runControlThread();
    assertEquals(
        List.of(new Told(java.time.Duration.ofSeconds(300),
            List.of("AUTH_PENDING,timeout 300", "INFO_PRE,WEB_AUTH::https://gw.example/start/abc"))),
        told);
    assertFalse(d.isDone());

    outcome.complete(radiusAccept("alice"));
    runControlThread();
    assertEquals(Optional.empty(), d.join());
    assertEquals(1, gateway.inUse());
  }

  @Test
  void aClientThatGivesUpCancelsItsPendingSignIn() throws Exception {
    CompletableFuture<AuthResult> outcome = new CompletableFuture<>();
    passwordAnswer =
        CompletableFuture.completedFuture(
            new AuthResult.Pending(
                java.net.URI.create("https://gw.example/start/abc"),
                java.time.Duration.ofSeconds(300),
                outcome));
    SessionAdmission a = newAdmission(admission(5));
    admit(a, keyMethod("alice", "x", "IV_PROTO=2\n"));
    runControlThread();
    assertEquals("AUTH_PENDING", told.get(0).messages().get(0),
        "a client without the keyword bit gets a bare AUTH_PENDING");
    a.release(RefusalReason.AUTH_TIMEOUT, "gone");
    assertTrue(outcome.isCancelled(), "the backend is told to stop waiting");
  }

  @Test
  void aChallengeGoesInBandToAClientThatShowsCrText() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("alice", "alice-pw", "IV_PROTO=990\nIV_SSO=webauth,crtext\n"));
    runControlThread();
    assertEquals(
        List.of("AUTH_PENDING,timeout 120", "INFO_PRE,CR_TEXT:R,E:Enter the code from your token"),
        told.get(0).messages(),
        "the prompt is one line");
    a.onCrResponse(java.util.Base64.getEncoder().encodeToString("123456".getBytes()));
    runControlThread();
    assertEquals(Optional.empty(), d.join());
    assertEquals("alice", answers.get(0).username());
    a.onCrResponse("MTIz"); // a second answer has no challenge to go to
    assertEquals(1, answers.size());
  }

  @Test
  void aWrongInBandAnswerIsRefusedWithTheBackendsReason() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("alice", "alice-pw", "IV_PROTO=990\nIV_SSO=crtext\n"));
    runControlThread();
    a.onCrResponse(java.util.Base64.getEncoder().encodeToString("999".getBytes()));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.BAD_CREDENTIALS), d.join());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "BadCredentials"));

    SessionAdmission b = newAdmission(gateway);
    d = admit(b, keyMethod("alice", "alice-pw", "IV_PROTO=990\nIV_SSO=crtext\n"));
    runControlThread();
    b.onCrResponse("not base64!");
    assertEquals(Optional.of(RefusalReason.BAD_CREDENTIALS), d.join());
  }

  @Test
  void anyOtherClientGetsACrv1ChallengeAndAnswersInItsNextConnection() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    CompletableFuture<Optional<SessionAdmission.Refusal>> first =
        admitWithText(newAdmission(gateway), keyMethod("alice", "alice-pw", "IV_PROTO=990\n"),
            CHAIN);
    runControlThread();
    String text = first.join().orElseThrow().clientText();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("CRV1:R,E:([0-9a-f]{32}):YWxpY2U=:Enter the code from your token")
            .matcher(text);
    assertTrue(m.matches(), text);
    assertEquals(List.of(), gateway.refusals().recent(), "a challenge is no refusal");
    assertEquals(0, gateway.inUse());
    assertEquals(1, challenges.size());

    String state = m.group(1);
    CompletableFuture<Optional<RefusalReason>> second =
        admit(newAdmission(gateway), keyMethod("alice", "CRV1::" + state + "::123456", "IV_PROTO=990\n"));
    runControlThread();
    assertEquals(Optional.empty(), second.join());
    assertEquals("123456", answers.get(0).passwordText());
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "ok", ""));

    CompletableFuture<Optional<RefusalReason>> replayed =
        admit(newAdmission(gateway), keyMethod("alice", "CRV1::" + state + "::123456", "IV_PROTO=990\n"));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.AUTH_TIMEOUT), replayed.join(), "one answer per challenge");
  }

  @Test
  void aCrv1AnswerMustComeFromTheSameUserAndCertificate() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    String[] states = new String[2];
    for (int i = 0; i < 2; i++) {
      CompletableFuture<Optional<SessionAdmission.Refusal>> r =
          admitWithText(newAdmission(gateway), keyMethod("alice", "alice-pw", "IV_PROTO=990\n"),
              CHAIN);
      runControlThread();
      states[i] = r.join().orElseThrow().clientText().split(":")[2];
    }
    CompletableFuture<Optional<RefusalReason>> otherUser =
        admit(newAdmission(gateway), keyMethod("mallory", "CRV1::" + states[0] + "::123456", ""));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.BAD_CREDENTIALS), otherUser.join());

    X509Certificate[] otherChain = {
      CertificateAuthority.create("other", KeySpec.EC_P256, Instant.now()).certificate()
    };
    CompletableFuture<Optional<SessionAdmission.Refusal>> otherCertificate =
        admitWithText(newAdmission(gateway), keyMethod("alice", "CRV1::" + states[1] + "::123456", ""),
            otherChain);
    runControlThread();
    assertEquals(RefusalReason.IDENTITY_CHANGED, otherCertificate.join().orElseThrow().reason());
    assertTrue(answers.isEmpty(), "the backend never saw either answer");
    assertEquals(0, challenges.size(), "both challenges are spent");
  }

  @Test
  void aBackendSlowerThanTheClientsHandWindowKeepsTheClientWaiting() throws Exception {
    passwordAnswer = new CompletableFuture<>();
    backendLongest = java.time.Duration.ofSeconds(120); // two servers down, 60 s each
    SessionAdmission a = newAdmission(admission(5));
    admit(a, keyMethod("alice", "alice-pw", "IV_PROTO=990\n"));
    runControlThread();
    assertEquals(List.of(new Told(java.time.Duration.ofSeconds(130), List.of("AUTH_PENDING,timeout 130"))), told);

    told.clear();
    backendLongest = java.time.Duration.ofSeconds(5);
    admit(newAdmission(admission(5)), keyMethod("alice", "alice-pw", "IV_PROTO=990\n"));
    runControlThread();
    assertTrue(told.isEmpty(), "a fast backend needs no AUTH_PENDING");
  }

  private static String b64(String s) {
    return java.util.Base64.getEncoder()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aStaticChallengeAnswerGoesToTheBackendsFirstChallenge() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(newAdmission(gateway),
            keyMethod("alice", "SCRV1:" + b64("alice-pw") + ":" + b64("123456"), "IV_PROTO=990\n"));
    runControlThread();
    assertEquals(Optional.empty(), d.join());
    assertEquals("alice-pw", offeredPasswords.get(0).passwordText(),
        "the backend gets the password alone");
    assertEquals("123456", answers.get(0).passwordText());
    assertTrue(told.isEmpty(), "the client is not asked again");
    assertEquals(0, challenges.size());

    answers.clear();
    d = admit(newAdmission(gateway),
        keyMethod("alice", "SCRV1:" + b64("alice-pw") + ":" + b64("999"), "IV_PROTO=990\n"));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.BAD_CREDENTIALS), d.join(), "a wrong static answer");
  }

  @Test
  void aMalformedStaticChallengeAnswerIsRefusedWithoutAskingTheBackend() throws Exception {
    passwordAnswer = CompletableFuture.completedFuture(radiusAccept("alice"));
    Admission gateway = admission(5);
    for (String bad : List.of("SCRV1:" + b64("pw"), "SCRV1:!!:" + b64("1"), "SCRV1:a:b:c")) {
      CompletableFuture<Optional<RefusalReason>> d =
          admit(newAdmission(gateway), keyMethod("alice", bad, "IV_PROTO=990\n"));
      runControlThread();
      assertEquals(Optional.of(RefusalReason.BAD_CREDENTIALS), d.join(), bad);
    }
    assertTrue(offeredPasswords.isEmpty());
    assertEquals(3, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "BadCredentials"));
  }

  @Test
  void aCrv1AnswerWithACertificateRevokedSinceTheChallengeIsRefused() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    CompletableFuture<Optional<SessionAdmission.Refusal>> first =
        admitWithText(newAdmission(gateway), keyMethod("alice", "alice-pw", "IV_PROTO=990\n"),
            CHAIN);
    runControlThread();
    String state = first.join().orElseThrow().clientText().split(":")[2];

    certificateRefusal =
        new AuthenticationException(RefusalReason.CERTIFICATE_REVOKED, "revoked meanwhile");
    CompletableFuture<Optional<RefusalReason>> second =
        admit(newAdmission(gateway), keyMethod("alice", "CRV1::" + state + "::123456", ""));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_REVOKED), second.join());
    assertTrue(answers.isEmpty(), "the backend never saw the answer");
  }

  @Test
  void aClientThatAnswersNothingInTimeIsRefusedOnceWithAuthTimeout() throws Exception {
    List<PasswordCredential> answers = new ArrayList<>();
    passwordAnswer = CompletableFuture.completedFuture(challenge(answers));
    Admission gateway = admission(5);
    SessionAdmission a = newAdmission(gateway);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(a, keyMethod("alice", "alice-pw", "IV_PROTO=990\nIV_SSO=crtext\n"));
    runControlThread();
    assertFalse(d.isDone(), "waiting for CR_RESPONSE");
    a.release(RefusalReason.AUTH_TIMEOUT, "no CR_RESPONSE in time");
    assertEquals(Optional.of(RefusalReason.AUTH_TIMEOUT), d.join());
    a.onCrResponse(b64("123456"));
    runControlThread();
    assertTrue(answers.isEmpty(), "a late answer goes nowhere");
    assertEquals(1, metrics.handshakes(VpnProtocol.OpenVPN, "failed", "AuthTimeout"));
    assertEquals(0, gateway.inUse());
  }

  @Test
  void aPendingOutcomeWithoutUrlOnlyKeepsTheClientWaiting() throws Exception {
    CompletableFuture<AuthResult> outcome = new CompletableFuture<>();
    passwordAnswer =
        CompletableFuture.completedFuture(
            new AuthResult.Pending(null, java.time.Duration.ofSeconds(90), outcome));
    Admission gateway = admission(5);
    CompletableFuture<Optional<RefusalReason>> d =
        admit(newAdmission(gateway), keyMethod("alice", "x", "IV_PROTO=990\nIV_SSO=webauth\n"));
    runControlThread();
    assertEquals(
        List.of(new Told(java.time.Duration.ofSeconds(90), List.of("AUTH_PENDING,timeout 90"))),
        told);
    outcome.complete(AuthResult.refused(RefusalReason.AUTH_TIMEOUT, "push not approved"));
    runControlThread();
    assertEquals(Optional.of(RefusalReason.AUTH_TIMEOUT), d.join());
  }
}
