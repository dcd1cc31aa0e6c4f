package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.profile.ClientIssuance;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.OpenVpnServerStats;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.exception.HandshakeException;
import io.vpngateway.gateway.openvpn.exception.OpenVpnException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.transport.OpenVpnLink;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One real {@link OpenVpnClientSession} (its own TLS engines, admission, data channel) against our
 * test client ({@link ClientKeyState} per key id), joined by lists instead of sockets and driven
 * by the test thread: the stand-in server's "control thread" is {@link #runControlTasks}, its
 * timer is {@link OpenVpnClientSession#tick} with a time of the test's choosing, and the wire is
 * {@link #pump}, which can drop the server's packets ({@link #dropToClient}). No tls-crypt (the
 * plain control packet format), UDP.
 */
final class InMemorySessionLab {
  /** How the client answers the server's soft reset (a renegotiation the server started). */
  enum SoftResetAnswer {
    /** As openvpn does: a new key state, TLS, key method. */
    NORMAL,
    /** With a TLS engine that has no certificate: the server's handshake fails. */
    NO_CERTIFICATE,
    /** Not at all: the packets of the new key id are lost. */
    IGNORE
  }

  private static final String OPTIONS =
      "V4,dev-type tun,link-mtu 1559,tun-mtu 1500,proto UDPv4,cipher AES-256-GCM,"
          + "auth [null-digest],keysize 256,key-method 2,tls-client";
  private static final int PEER_ID = 7;
  private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.9", 41000);
  private static final CertificateAuthority CA =
      CertificateAuthority.create("lab", KeySpec.EC_P256, Instant.now());
  private static final IssuedCertificate SERVER = CA.issueServerCertificate(
      new ServerCertificateRequest("gw", List.of("gw.test"), List.of(), KeySpec.EC_P256,
          Duration.ofDays(1)), Instant.now());
  private static final IssuedCertificate CLIENT = client("alice");

  // ------------------------------------------------------------ server side (stand-in host)

  volatile OpenVpnServerSettings settings;
  final OpenVpnServerStats stats = new OpenVpnServerStats();
  final SessionRegistry registry = new SessionRegistry();
  final Admission admission;
  final AtomicInteger leasesOut = new AtomicInteger();
  final List<byte[]> deliveredToTun = new ArrayList<>();
  final List<OpenVpnClientSession> closedSessions = new ArrayList<>();
  private final ArrayDeque<Runnable> controlTasks = new ArrayDeque<>();
  private final ArrayDeque<byte[]> toClient = new ArrayDeque<>();
  private final ServerTlsContext tls;
  private final SessionHost host;
  OpenVpnClientSession session;

  /** Server packets the wire loses; the control packets among them are counted in dropped. */
  Predicate<OpenVpnControlPacket> dropToClient = p -> false;
  final List<OpenVpnControlPacket> dropped = new ArrayList<>();
  /** Every control packet the session put on the wire, dropped or not. */
  final List<OpenVpnControlPacket> fromServer = new ArrayList<>();

  // ------------------------------------------------------------ client side

  /** The certificate authenticator refuses every client (the session ends REFUSED). */
  volatile boolean refuseCertificates;
  /** Certificate authentication in the running config (a reload may turn it off). */
  volatile boolean certificatesOn = true;
  SoftResetAnswer softResetAnswer = SoftResetAnswer.NORMAL;
  /** Sends IV_PROTO_REQUEST_PUSH (the server pushes unasked) when true. */
  boolean requestPushFlag = true;
  /** Offered in key method 2 when not null (a password backend decides then). */
  String password;
  final long clientSessionId = new SecureRandom().nextLong();
  long serverSessionId;
  private boolean serverKnown;
  final ClientKeyState[] keys = new ClientKeyState[8];
  private final DataChannelKey[] dataKeys = new DataChannelKey[8];
  int clientKeyId;
  DataChannelKey clientSendKey;
  DataCipherSuite cipher;
  boolean tlsEkm;
  /** Control messages the client read, each as "keyId:message". */
  final List<String> clientMessages = new ArrayList<>();
  /** Renegotiations whose TLS failed on the client's side, each as "keyId: why". */
  final List<String> clientKeyFailures = new ArrayList<>();
  /** Data packets the client opened (pings included), each as the key id it came under. */
  final List<Integer> clientDataKeyIds = new ArrayList<>();
  private final SSLContext clientTls;
  private final SSLContext clientTlsWithoutCertificate;

  InMemorySessionLab(OpenVpnServerSettings.Builder settings, PasswordAuthenticator passwords)
      throws Exception {
    this.settings = settings
        .serverCredentials(List.of(SERVER.certificate()), SERVER.privateKey())
        .build();
    this.tls = ServerTlsContext.create(List.of(SERVER.certificate()), SERVER.privateKey(),
        "TLSv1.2", List.of(), ServerTlsContext.ClientCertificates.REQUIRED);
    AuthenticationPipeline.Builder pipeline = AuthenticationPipeline.builder()
        .certificates(chain -> {
          if (refuseCertificates) {
            throw new AuthenticationException(RefusalReason.UNTRUSTED_ISSUER, "lab refuses");
          }
          return new ClientIdentity("alice", List.of("eng"), AuthMethod.CERTIFICATE,
              "CN=alice", "aa", null);
        }, () -> certificatesOn);
    if (passwords != null) {
      pipeline.password(passwords);
    }
    this.admission = new Admission(pipeline.build(), 10, new GatewayMetrics(registry));
    this.clientTls = clientContext(true);
    this.clientTlsWithoutCertificate = clientContext(false);
    this.host = new Host();
  }

  InMemorySessionLab(OpenVpnServerSettings.Builder settings) throws Exception {
    this(settings, null);
  }

  private static IssuedCertificate client(String name) {
    ClientCertificateSpec spec = new ClientCertificateSpec();
    spec.commonName = name;
    spec.privateKey = new PrivateKeySpec();
    spec.privateKey.algorithm = PrivateKeySpec.Algorithm.ECDSA;
    spec.privateKey.size = 256;
    return CA.issueClientCertificate(ClientIssuance.request(spec), Instant.now());
  }

  private static SSLContext clientContext(boolean withCertificate) throws Exception {
    KeyManagerFactory kmf = null;
    if (withCertificate) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] pw = "lab".toCharArray();
      ks.setKeyEntry("client", CLIENT.privateKey(), pw,
          new X509Certificate[] {CLIENT.certificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
    }
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {new TrustAll()}, null);
    return c;
  }

  private SSLEngine clientEngine(boolean withCertificate) {
    SSLEngine e = (withCertificate ? clientTls : clientTlsWithoutCertificate).createSSLEngine();
    e.setUseClientMode(true);
    return e;
  }

  private String peerInfo() {
    int proto = 2 | 16 | 32 | 64 | 128 | 256 | 512 | (requestPushFlag ? 4 : 0);
    return "IV_VER=2.6.14\nIV_PLAT=linux\nIV_PROTO=" + proto
        + "\nIV_CIPHERS=AES-256-GCM:CHACHA20-POLY1305\n";
  }

  // ------------------------------------------------------------ driving

  /** The client's hard reset starts the session (the server answers with its own reset). */
  void start() throws OpenVpnException {
    ClientKeyState ks = new ClientKeyState(0, clientEngine(true),
        OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2);
    if (password != null) {
      ks.withPassword("alice", password);
    }
    keys[0] = ks;
    List<OpenVpnControlPacket> first = ks.poll(System.nanoTime(), clientSessionId, 0);
    session = OpenVpnClientSession.start(host, new Link(), null, PEER_ID, first.get(0));
  }

  /** Starts and pumps until the client has its PUSH_REPLY (and its data key). */
  void connect() throws Exception {
    start();
    pump();
    if (clientSendKey == null) {
      throw new AssertionError("not established: " + session + " " + clientMessages);
    }
  }

  /** Runs what was handed to the control thread (in order, including what those hand on). */
  void runControlTasks() {
    Runnable r;
    while ((r = controlTasks.poll()) != null) {
      r.run();
    }
  }

  /**
   * Moves packets both ways until neither side has anything to send: the client's current
   * output (at the real clock: the client never retransmits here) to the session, the session's
   * to the client unless {@link #dropToClient} loses it.
   */
  void pump() throws OpenVpnException {
    for (int round = 0; round < 200; round++) {
      runControlTasks();
      boolean moved = false;
      for (ClientKeyState ks : keys) {
        if (ks == null) {
          continue;
        }
        for (OpenVpnControlPacket p : ks.poll(System.nanoTime(), clientSessionId,
            serverSessionId)) {
          moved = true;
          if (!session.isClosed()) {
            session.onControlBytes(ByteBuffer.wrap(p.encodePlain()));
          }
        }
      }
      runControlTasks();
      byte[] wire;
      while ((wire = toClient.poll()) != null) {
        moved = true;
        clientReceives(wire);
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the exchange did not settle");
  }

  private void clientReceives(byte[] wire) throws OpenVpnException {
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(wire[0] & 0xff);
    int keyId = OpenVpnOpcode.keyIdOf(wire[0] & 0xff);
    if (op == OpenVpnOpcode.P_DATA_V2) {
      DataChannelKey k = dataKeys[keyId];
      if (k == null) {
        return;
      }
      ByteBuffer packet = ByteBuffer.allocate(wire.length + 16).put(wire).flip();
      try {
        k.decryptor().open(packet, 4, ByteBuffer.allocate(2048));
        clientDataKeyIds.add(keyId);
      } catch (PacketAuthenticationException e) {
        throw new AssertionError("the client cannot open a data packet of key id " + keyId);
      }
      return;
    }
    OpenVpnControlPacket p = OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(wire));
    fromServer.add(p);
    if (dropToClient.test(p)) {
      dropped.add(p);
      return;
    }
    if (!serverKnown && p.opcode() == OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2) {
      serverSessionId = p.sessionId();
      serverKnown = true;
    }
    ClientKeyState ks = keys[keyId];
    if (p.opcode() == OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1 && (ks == null || keyId != clientKeyId)
        && clientSendKey != null) {
      if (softResetAnswer == SoftResetAnswer.IGNORE) {
        return;
      }
      ks = newKeyState(keyId, softResetAnswer != SoftResetAnswer.NO_CERTIFICATE);
    }
    if (ks == null) {
      return;
    }
    try {
      ks.receive(p, OPTIONS, peerInfo());
    } catch (HandshakeException e) {
      if (keyId == 0) {
        throw e;
      }
      // a renegotiation's TLS failed on the client's side too (the server's alert): that key
      // state is dropped; the first one still reads control messages
      clientKeyFailures.add(keyId + ": " + e.getMessage());
      keys[keyId].close();
      keys[keyId] = null;
      return;
    }
    if (ks.state() != ClientKeyState.State.ACTIVE) {
      return;
    }
    if (dataKeys[keyId] == null && clientSendKey != null && keyId == clientKeyId) {
      // a renegotiated key: send with it at once, as openvpn does
      dataKeys[keyId] = ks.dataKey(cipher, PEER_ID, tlsEkm, clientSessionId, serverSessionId);
      clientSendKey = dataKeys[keyId];
    }
    for (String msg : ks.takeControlMessages()) {
      clientMessages.add(keyId + ":" + msg);
      if (msg.startsWith("PUSH_REPLY") && clientSendKey == null) {
        for (String option : msg.split(",")) {
          String[] w = option.trim().split(" ");
          if (w[0].equals("cipher")) {
            cipher = DataCipherSuite.byName(w[1]).orElseThrow();
          } else if (w[0].equals("protocol-flags")) {
            tlsEkm = option.contains("tls-ekm");
          }
        }
        dataKeys[keyId] = ks.dataKey(cipher, PEER_ID, tlsEkm, clientSessionId, serverSessionId);
        clientSendKey = dataKeys[keyId];
      }
    }
  }

  /** The client starts a key state of its own (a renegotiation by the client: a soft reset). */
  ClientKeyState newKeyState(int keyId, boolean withCertificate) throws OpenVpnException {
    ClientKeyState ks = new ClientKeyState(keyId, clientEngine(withCertificate),
        OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1);
    keys[keyId] = ks;
    dataKeys[keyId] = null;
    clientKeyId = keyId;
    return ks;
  }

  /** The client sends a control message (PUSH_REQUEST, EXIT) on key id {@code keyId}. */
  void clientSays(int keyId, String message) throws OpenVpnException {
    keys[keyId].sendControlMessage(message);
  }

  /** The client sends an inner IPv4 packet with its current data key; the session opens it. */
  void clientSendsData(int length) throws Exception {
    byte[] inner = new byte[length];
    inner[0] = 0x45;
    inner[3] = (byte) length;
    ByteBuffer out = ByteBuffer.allocate(length + 64);
    clientSendKey.encryptor().seal(ByteBuffer.wrap(inner), out);
    ByteBuffer packet = ByteBuffer.allocate(out.remaining() + 16).put(out).flip();
    session.onDataPacket(packet, REMOTE, ByteBuffer.allocate(2048));
  }

  /** An inner packet from TUN for the client: the session seals it, the wire carries it. */
  void tunSendsData(int length) throws OpenVpnException {
    byte[] inner = new byte[length];
    inner[0] = 0x45;
    inner[3] = (byte) length;
    session.deliverFromTun(ByteBuffer.wrap(inner));
    pump();
  }

  /** The control messages the client read, without the PUSH_REPLY's long text. */
  List<String> messages() {
    return clientMessages.stream().map(m -> m.contains("PUSH_REPLY") ? m.substring(0,
        m.indexOf("PUSH_REPLY") + "PUSH_REPLY".length()) : m).toList();
  }

  // ------------------------------------------------------------ the stand-in server

  private final class Link implements OpenVpnLink {
    @Override
    public void send(ByteBuffer packet) {
      byte[] b = new byte[packet.remaining()];
      packet.get(b);
      toClient.add(b);
    }

    @Override
    public InetSocketAddress remote() {
      return REMOTE;
    }

    @Override
    public void updateRemote(InetSocketAddress r) {}

    @Override
    public boolean isStream() {
      return false;
    }

    @Override
    public void close() {}
  }

  private final class Host implements SessionHost {
    private final AddressAllocator allocator = (client, protocol) -> {
      leasesOut.incrementAndGet();
      return Optional.of(new AddressLease((Inet4Address) address("10.9.0.2"), 24,
          (Inet4Address) address("10.9.0.1"), leasesOut::decrementAndGet));
    };
    private final DynamicChallenges challenges = new DynamicChallenges();
    private final AdmittedSessions admitted = new AdmittedSessions();

    @Override
    public OpenVpnServerSettings settings() {
      return settings;
    }

    @Override
    public ServerTlsContext tls() {
      return tls;
    }

    @Override
    public Admission admission() {
      return admission;
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
      return p -> {
        byte[] b = new byte[p.remaining()];
        p.get(b);
        deliveredToTun.add(b);
      };
    }

    @Override
    public OpenVpnServerStats stats() {
      return stats;
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
      controlTasks.add(task);
    }

    @Override
    public void floated(OpenVpnClientSession s, InetSocketAddress oldRemote) {}

    @Override
    public void authenticated(OpenVpnClientSession s) {}

    @Override
    public void established(OpenVpnClientSession s) {}

    @Override
    public void closed(OpenVpnClientSession s) {
      closedSessions.add(s);
    }
  }

  private static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's certificate is not what these tests are about. */
  private static final class TrustAll implements X509TrustManager {
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
