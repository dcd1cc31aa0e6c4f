package io.vpngateway.gateway.openvpn;

import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.CertificateAuthenticator;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.openvpn.crypto.TlsCrypt;
import io.vpngateway.gateway.openvpn.crypto.TlsCryptV2Unwrapper;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.OpenVpnException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.session.AdmittedSessions;
import io.vpngateway.gateway.openvpn.session.DynamicChallenges;
import io.vpngateway.gateway.openvpn.session.HandshakeCookies;
import io.vpngateway.gateway.openvpn.session.OpenVpnClientSession;
import io.vpngateway.gateway.openvpn.session.SessionHost;
import io.vpngateway.gateway.openvpn.transport.HandshakeRateLimiter;
import io.vpngateway.gateway.openvpn.transport.OpenVpnLink;
import io.vpngateway.gateway.openvpn.transport.OpenVpnTcpServer;
import io.vpngateway.gateway.openvpn.transport.OpenVpnUdpServer;
import io.vpngateway.gateway.openvpn.transport.PacketHandler;
import io.vpngateway.gateway.openvpn.transport.TcpConnection;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The OpenVPN protocol server: UDP and TCP transports, packet dispatch, session lifecycle. Its
 * periodic work and how long its control thread sleeps are {@link ServerTick}.
 *
 * <p>Dispatch: a data packet (P_DATA_V2) finds its session by the peer id in its header and is
 * decrypted on the receiving thread. A control packet from a known client goes to its session on
 * the single control thread. A client hard reset from an unknown source first passes the
 * per-source rate limit, then must authenticate (tls-crypt, or tls-crypt-v2 with its WKc) before
 * any state or TLS engine is created; without tls-crypt configured, plain resets are accepted.
 *
 * <p>Usage: {@code new OpenVpnServer(settings, admission, allocator, registry,
 * dataPlane::sinkFor).start()} (each session writes through the sink for its inner address);
 * a shared TCP port hands connections to {@link #tcp()}{@code .adopt(channel, alreadyRead)}.
 */
public final class OpenVpnServer implements SessionHost, PacketHandler, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(OpenVpnServer.class.getName());
  /** Control packets waiting for the control thread; beyond this they are dropped (counted). */
  static final int CONTROL_QUEUE_CAPACITY = 4096;
  /**
   * Largest control datagram accepted: openvpn's control packets stay under its tls-mtu (1250)
   * plus headers; anything bigger is dropped before it is copied.
   */
  static final int MAX_CONTROL_PACKET = 1600;
  /** tls-crypt-v2 packets that carry the client's WKc may add up to openvpn's 1024-byte WKc. */
  static final int MAX_WKC_LENGTH = 1024;
  /**
   * Open TCP connections per client IP. Generous because many clients may share one NAT address;
   * the point is that one host cannot take the whole global cap.
   */
  private static final int TCP_CONNECTIONS_PER_SOURCE = 64;
  /** A TCP connection must carry an authenticated hard reset within this time. */
  private static final long TCP_UNBOUND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * Sessions not yet authenticated (TLS and certificate pending) per client IP. Each holds a TLS
   * engine and a peer id for up to the handshake window, so one source must not take them all.
   */
  static final int HANDSHAKES_PER_SOURCE = 16;

  private volatile OpenVpnServerSettings settings;
  private final Admission admission;
  private final AddressAllocator allocator;
  private final SessionRegistry registry;
  private final Function<Inet4Address, InnerPacketSink> sinks;
  private volatile ServerTlsContext tls;
  private final OpenVpnServerStats stats = new OpenVpnServerStats();
  private final Optional<TlsCryptV2Unwrapper> tlsCryptV2;
  private final HandshakeRateLimiter rateLimiter;
  /** Per receiving thread: checks V2 resets under the shared tls-crypt key, keeping no state. */
  private final ThreadLocal<TlsCrypt> firstPacketChecker;
  private final HandshakeCookies cookies = new HandshakeCookies(new java.security.SecureRandom());
  private final DynamicChallenges challenges = new DynamicChallenges();
  private final ControlThread control;
  private final AtomicReferenceArray<OpenVpnClientSession> byPeerId;
  private final AdmittedSessions admittedSessions = new AdmittedSessions();
  private final Map<InetSocketAddress, OpenVpnClientSession> byUdpAddress =
      new ConcurrentHashMap<>();
  private final Map<OpenVpnClientSession, Boolean> sessions = new ConcurrentHashMap<>();
  /** Sessions still handshaking and their client IP; control thread only. */
  private final Map<OpenVpnClientSession, InetAddress> handshaking = new HashMap<>();
  private final Map<InetAddress, Integer> handshakingBySource = new HashMap<>();
  private final OpenVpnUdpServer udp = new OpenVpnUdpServer(this);
  private final OpenVpnTcpServer tcp;
  private final ServerTick ticker;
  private int nextPeerId;
  private InetSocketAddress udpAddress;
  private InetSocketAddress tcpAddress;

  /**
   * A server admitting clients through the gateway's {@code admission} (authentication pipeline,
   * connection budget, refusal reporting).
   */
  public OpenVpnServer(OpenVpnServerSettings settings, Admission admission,
      AddressAllocator allocator, SessionRegistry registry,
      Function<Inet4Address, InnerPacketSink> sinks) throws GeneralSecurityException {
    this.settings = settings;
    this.admission = admission;
    this.allocator = allocator;
    this.registry = registry;
    this.sinks = sinks;
    this.tls = tlsContext(settings, clientCertificateMode());
    this.tlsCryptV2 = settings.tlsCryptV2Key().map(TlsCryptV2Unwrapper::new);
    this.rateLimiter = new HandshakeRateLimiter(settings.newHandshakesPerSecondPerSource());
    this.firstPacketChecker = ThreadLocal.withInitial(
        () -> new TlsCrypt(settings.tlsCryptKey().orElseThrow()));
    this.tcp = new OpenVpnTcpServer(this, new OpenVpnTcpServer.Limits(
        settings.maxConnections() * 2 + 64, TCP_CONNECTIONS_PER_SOURCE, TCP_UNBOUND_TIMEOUT_NANOS),
        stats.tcpSendQueueDropped, stats.tcpConnectionsRefused);
    // handshaking sessions also hold a peer id, so leave head room over maxConnections
    this.byPeerId = new AtomicReferenceArray<>(
        Math.min(0xffffff, settings.maxConnections() * 2 + 64));
    this.control = new ControlThread(CONTROL_QUEUE_CAPACITY, stats.controlQueueDropped);
    this.ticker = new ServerTick(sessions.keySet(), tcp);
  }

  /**
   * A server of its own, outside a gateway (tests, tools): certificate authentication with {@code
   * authenticator}, the settings' auth-token key, and a connection budget of the settings'
   * {@code maxConnections}.
   */
  public static OpenVpnServer standalone(OpenVpnServerSettings settings,
      CertificateAuthenticator authenticator, AddressAllocator allocator,
      SessionRegistry registry, Function<Inet4Address, InnerPacketSink> sinks)
      throws GeneralSecurityException {
    AuthenticationPipeline.Builder pipeline = AuthenticationPipeline.builder()
        .certificates(authenticator);
    settings.authTokenSecret()
        .ifPresent(s -> pipeline.authTokens(new AuthTokens(s, settings.authTokenLifetime())));
    Admission admission = new Admission(pipeline.build(), settings.maxConnections(),
        new GatewayMetrics(registry));
    return new OpenVpnServer(settings, admission, allocator, registry, sinks);
  }

  /** Binds the configured UDP and TCP ports and starts the control thread. */
  public void start() throws IOException {
    if (settings.udpPort() >= 0) {
      udpAddress = udp.bind(new InetSocketAddress(settings.listenAddress(), settings.udpPort()));
      LOG.log(System.Logger.Level.INFO, "OpenVPN UDP listening on {0}", udpAddress);
    }
    if (settings.tcpPort() >= 0) {
      tcpAddress = tcp.listen(new InetSocketAddress(settings.listenAddress(), settings.tcpPort()));
      LOG.log(System.Logger.Level.INFO, "OpenVPN TCP listening on {0}", tcpAddress);
    }
    control.scheduleTick(ticker::run, ticker::periodMillis, ServerTick.FAST_TICK_MILLIS);
  }

  public Optional<InetSocketAddress> udpAddress() {
    return Optional.ofNullable(udpAddress);
  }

  public Optional<InetSocketAddress> tcpAddress() {
    return Optional.ofNullable(tcpAddress);
  }

  /** The TCP side, for {@code adopt(SocketChannel, ByteBuffer)} from a shared-port sniffer. */
  public OpenVpnTcpServer tcp() {
    return tcp;
  }

  /** Live sessions (handshaking ones included). */
  public List<OpenVpnClientSession> sessions() {
    return List.copyOf(sessions.keySet());
  }

  // ------------------------------------------------------------------ dispatch

  @Override
  public void onDatagram(ByteBuffer packet, InetSocketAddress from, OpenVpnLink unused,
      ByteBuffer scratch) {
    int first = packet.get(0) & 0xff;
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(first);
    if (op == null) {
      stats.malformedDropped.increment();
      return;
    }
    if (op == OpenVpnOpcode.P_DATA_V2) {
      if (packet.remaining() < 4) {
        stats.malformedDropped.increment();
        return;
      }
      int peerId = packet.getInt(0) & 0xffffff;
      OpenVpnClientSession s = peerId < byPeerId.length() ? byPeerId.get(peerId) : null;
      if (s == null) {
        stats.unknownSessionDropped.increment();
        return;
      }
      s.onDataPacket(packet, from, scratch);
      return;
    }
    OpenVpnClientSession s = byUdpAddress.get(from);
    if (op == OpenVpnOpcode.P_DATA_V1) {
      if (s == null) {
        stats.unknownSessionDropped.increment();
      } else {
        s.onDataPacket(packet, from, scratch);
      }
      return;
    }
    if (tooLargeForControl(op, packet.remaining())) {
      return;
    }
    byte[] copy = new byte[packet.remaining()];
    packet.get(copy);
    // a packet under another session id from the same ip:port is a restarted client (new reset,
    // then its cookie echo), not a packet for the live session
    if (s != null && sameClientSession(s, copy)) {
      control.submitPacket(() -> s.onControlBytes(ByteBuffer.wrap(copy)));
      return;
    }
    if (!op.isClientHardReset()) {
      if (OpenVpnOpcode.keyIdOf(first) == 0
          && (op == OpenVpnOpcode.P_ACK_V1 || op == OpenVpnOpcode.P_CONTROL_V1)) {
        control.submitPacket(() -> acceptCookieEcho(copy, from));
      } else {
        stats.unknownSessionDropped.increment();
      }
      return;
    }
    // openvpn's order: the cheap tls-crypt HMAC first, so forged resets cannot spend a real
    // client's tokens; then the per-source limit; only then state on the control thread
    AuthenticatedReset reset = authenticateReset(copy, true);
    if (reset == null || !withinRateLimit(from)) {
      return;
    }
    if (op == OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2) {
      control.submitPacket(() -> answerStatelessly(reset.packet(), from));
    } else {
      // tls-crypt-v2: the WKc travels only in the first packet, so this handshake keeps state
      control.submitPacket(() -> acceptNew(reset, udp.linkTo(from), null));
    }
  }

  /** True (and counted) for a control packet bigger than any openvpn peer sends. */
  private boolean tooLargeForControl(OpenVpnOpcode op, int length) {
    boolean carriesWkc = op == OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3
        || op == OpenVpnOpcode.P_CONTROL_WKC_V1;
    if (length > MAX_CONTROL_PACKET + (carriesWkc ? MAX_WKC_LENGTH : 0)) {
      stats.malformedDropped.increment();
      return true;
    }
    return false;
  }

  /** A client's hard reset that passed tls-crypt (or needs none), with its session context. */
  private record AuthenticatedReset(OpenVpnControlPacket packet, TlsCrypt crypt) {}

  private boolean withinRateLimit(InetSocketAddress from) {
    if (rateLimiter.tryAcquire(from.getAddress(), System.nanoTime())) {
      return true;
    }
    stats.rateLimitedHandshakes.increment();
    return false;
  }

  /**
   * Authenticates a client hard reset on the receiving thread; null (counted) when it fails.
   *
   * @param stateless a V2 reset answered statelessly needs no session context: it is checked with
   *     this thread's shared one, which keeps no replay state
   */
  private AuthenticatedReset authenticateReset(byte[] bytes, boolean stateless) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      OpenVpnControlPacket reset;
      TlsCrypt crypt = null;
      if (OpenVpnOpcode.ofHeaderByte(bytes[0]) == OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V3) {
        if (tlsCryptV2.isEmpty()) {
          stats.authenticationDropped.increment();
          return null;
        }
        TlsCryptV2Unwrapper.Result r = tlsCryptV2.get().unwrap(in);
        crypt = r.tlsCrypt();
        reset = r.packet();
      } else if (settings.tlsCryptKey().isPresent()) {
        if (stateless) {
          reset = firstPacketChecker.get().unwrapFirstPacket(in);
        } else {
          crypt = new TlsCrypt(settings.tlsCryptKey().get());
          reset = crypt.unwrap(in);
        }
      } else if (settings.tlsCryptRequired()) {
        stats.authenticationDropped.increment();
        return null;
      } else {
        reset = OpenVpnControlPacket.decodePlain(in);
      }
      if (reset.messageId() != 0) {
        stats.malformedDropped.increment();
        return null;
      }
      return new AuthenticatedReset(reset, crypt);
    } catch (PacketAuthenticationException e) {
      stats.rejected(e);
    } catch (MalformedPacketException e) {
      stats.malformedDropped.increment();
    }
    return null;
  }

  /** The tls-crypt context for a V2 reset or its echo, or null when packets are plain. */
  private TlsCrypt sharedTlsCrypt(long firstSendPacketId) {
    return settings.tlsCryptKey().map(k -> new TlsCrypt(k, firstSendPacketId)).orElse(null);
  }

  /**
   * Control thread: answers an authenticated V2 reset with our reset, whose session id is the
   * client's cookie (see {@link HandshakeCookies}); nothing is stored.
   */
  private void answerStatelessly(OpenVpnControlPacket reset, InetSocketAddress from) {
    TlsCrypt crypt = sharedTlsCrypt(1);
    long cookie = cookies.cookie(from, reset.sessionId(), System.currentTimeMillis() / 1000);
    OpenVpnControlPacket reply = new OpenVpnControlPacket(
        OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2, reset.keyId(), cookie, new long[] {0},
        reset.sessionId(), 0, new byte[0]);
    udp.linkTo(from).send(ByteBuffer.wrap(crypt != null ? crypt.wrap(reply)
        : reply.encodePlain()));
  }

  /**
   * Control thread: a client's packet after our stateless reset. It must authenticate, ack our
   * reset and echo a valid cookie for its address and session id; then the session is created.
   */
  private void acceptCookieEcho(byte[] bytes, InetSocketAddress from) {
    OpenVpnClientSession existing = byUdpAddress.get(from);
    if (existing != null && sameClientSession(existing, bytes)) {
      // the session was created while this packet waited in the queue
      existing.onControlBytes(ByteBuffer.wrap(bytes));
      return;
    }
    if (settings.tlsCryptKey().isEmpty() && settings.tlsCryptRequired()) {
      stats.unknownSessionDropped.increment();
      return;
    }
    // the stateless reset used tls-crypt packet id 1; the session continues above it
    TlsCrypt crypt = sharedTlsCrypt(2);
    OpenVpnControlPacket p;
    try {
      p = crypt != null ? crypt.unwrap(ByteBuffer.wrap(bytes))
          : OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(bytes));
    } catch (PacketAuthenticationException e) {
      stats.rejected(e);
      return;
    } catch (MalformedPacketException e) {
      stats.malformedDropped.increment();
      return;
    }
    boolean acksReset = false;
    for (long ack : p.acks()) {
      acksReset |= ack == 0;
    }
    if (!acksReset || !cookies.verify(from, p.sessionId(), p.remoteSessionId(),
        System.currentTimeMillis() / 1000)) {
      stats.unknownSessionDropped.increment();
      return;
    }
    int peerId = mayStartHandshake(from.getAddress()) ? allocatePeerId() : -1;
    if (peerId < 0) {
      stats.rateLimitedHandshakes.increment();
      return;
    }
    OpenVpnLink link = udp.linkTo(from);
    try {
      OpenVpnClientSession s = OpenVpnClientSession.startFromCookie(this, link, crypt, peerId,
          p.remoteSessionId(), p);
      byPeerId.set(peerId, s);
      sessions.put(s, Boolean.TRUE);
      byUdpAddress.put(from, s);
      handshakeStarted(s, from.getAddress());
    } catch (OpenVpnException e) {
      byPeerId.set(peerId, null);
      LOG.log(System.Logger.Level.INFO, "cannot start session for {0}: {1}", from,
          e.getMessage());
    }
  }

  /**
   * Whether a control packet carries the live session's client session id (the 8 bytes after
   * the opcode, in clear under tls-crypt too); otherwise it comes from a restarted client.
   */
  private static boolean sameClientSession(OpenVpnClientSession s, byte[] packet) {
    return packet.length >= 9 && ByteBuffer.wrap(packet, 1, 8).getLong() == s.clientSessionId();
  }

  @Override
  public void onStreamPacket(TcpConnection connection, ByteBuffer packet, ByteBuffer scratch) {
    OpenVpnClientSession s = (OpenVpnClientSession) connection.session();
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(packet.get(0));
    if (op == null) {
      stats.malformedDropped.increment();
      return;
    }
    if (op.isData()) {
      if (s == null) {
        stats.unknownSessionDropped.increment();
      } else {
        s.onDataPacket(packet, null, scratch);
      }
      return;
    }
    if (tooLargeForControl(op, packet.remaining())) {
      return;
    }
    byte[] copy = new byte[packet.remaining()];
    packet.get(copy);
    if (s != null) {
      control.submitPacket(() -> s.onControlBytes(ByteBuffer.wrap(copy)));
    } else if (op.isClientHardReset()) {
      AuthenticatedReset reset = authenticateReset(copy, false);
      if (reset == null || !withinRateLimit(connection.link().remote())) {
        connection.link().close();
        return;
      }
      control.submitPacket(() -> {
        if (connection.session() == null) {
          acceptNew(reset, connection.link(), connection);
        }
      });
    } else {
      stats.unknownSessionDropped.increment();
    }
  }

  @Override
  public void onStreamClosed(TcpConnection connection) {
    OpenVpnClientSession s = (OpenVpnClientSession) connection.session();
    if (s != null) {
      s.closeSilently("TCP connection closed");
    }
  }

  /** Control thread: create the session of an authenticated client reset. */
  private void acceptNew(AuthenticatedReset reset, OpenVpnLink link, TcpConnection connection) {
    if (connection == null) {
      OpenVpnClientSession existing = byUdpAddress.get(link.remote());
      if (existing != null && !existing.isClosed()
          && existing.clientSessionId() == reset.packet().sessionId()) {
        // a retransmitted reset that passed the receive thread before the first one made its
        // session (a busy control thread takes longer than the client's 1-2 s retransmit
        // timer): the live session answers it by retransmitting its own reset. A second
        // session would take over the address and leave the client talking to two.
        stats.duplicateResetsDropped.increment();
        return;
      }
    }
    int peerId = mayStartHandshake(link.remote().getAddress()) ? allocatePeerId() : -1;
    if (peerId < 0) {
      stats.rateLimitedHandshakes.increment();
      return;
    }
    try {
      OpenVpnClientSession s = OpenVpnClientSession.start(this, link, reset.crypt(), peerId,
          reset.packet());
      byPeerId.set(peerId, s);
      sessions.put(s, Boolean.TRUE);
      handshakeStarted(s, link.remote().getAddress());
      if (connection != null) {
        connection.bind(s);
      } else {
        byUdpAddress.put(link.remote(), s);
      }
    } catch (OpenVpnException e) {
      byPeerId.set(peerId, null);
      LOG.log(System.Logger.Level.INFO, "cannot start session for {0}: {1}", link.remote(),
          e.getMessage());
    }
  }

  /**
   * Control thread: whether one more unauthenticated session may start from {@code source}
   * (per-source cap, and a global cap of {@code maxConnections}, at least 64).
   */
  private boolean mayStartHandshake(InetAddress source) {
    return handshaking.size() < Math.max(64, settings.maxConnections())
        && handshakingBySource.getOrDefault(source, 0) < HANDSHAKES_PER_SOURCE;
  }

  private void handshakeStarted(OpenVpnClientSession s, InetAddress source) {
    if (s.isClosed() || handshaking.put(s, source) != null) {
      return;
    }
    handshakingBySource.merge(source, 1, Integer::sum);
  }

  private void handshakeEnded(OpenVpnClientSession s) {
    InetAddress source = handshaking.remove(s);
    if (source != null) {
      handshakingBySource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  @Override
  public void authenticated(OpenVpnClientSession session) {
    handshakeEnded(session);
  }

  private int allocatePeerId() {
    int n = byPeerId.length();
    for (int i = 0; i < n; i++) {
      int candidate = (nextPeerId + i) % n;
      if (byPeerId.get(candidate) == null) {
        nextPeerId = candidate + 1;
        return candidate;
      }
    }
    return -1;
  }

  // ------------------------------------------------------------------ SessionHost

  @Override
  public OpenVpnServerSettings settings() {
    return settings;
  }

  /**
   * Replaces the settings that new sessions read, for a config reload: pushed routes, DNS,
   * redirect-gateway, timers, data ciphers, and (by a new TLS context) the server certificate, TLS
   * policy and whether a client certificate is required, asked for or not asked for: that follows
   * the authentication the reload left on (certificate, password backends such as OIDC or RADIUS
   * turned on or off, {@code requireCertificateAndPassword}), which the caller has applied before.
   * Sockets, tls-crypt keys, the auth-token key and the peer-id table were set up at construction
   * from the first settings and stay: the caller keeps those fields unchanged. Live sessions keep
   * their TLS engine and what they were pushed.
   *
   * @throws GeneralSecurityException the new certificate or TLS policy is unusable: the previous
   *     settings stay, and so do the previous certificate and policy, though with the client
   *     certificate mode of the authentication now on (the pipeline already follows the reload)
   */
  public void updateSettings(OpenVpnServerSettings next) throws GeneralSecurityException {
    OpenVpnServerSettings previous = settings;
    ServerTlsContext.ClientCertificates mode = clientCertificateMode();
    ServerTlsContext current = tls;
    boolean policyChanged =
        !next.serverCertificateChain().equals(previous.serverCertificateChain())
            || !next.serverPrivateKey().equals(previous.serverPrivateKey())
            || !next.tlsMinVersion().equals(previous.tlsMinVersion())
            || !next.tlsCipherSuites().equals(previous.tlsCipherSuites());
    if (policyChanged || mode != current.clientCertificates()) {
      replaceTlsContext(
          settings -> tlsContext(settings, mode),
          built -> tls = built,
          next,
          previous,
          mode != current.clientCertificates());
      if (mode != current.clientCertificates()) {
        LOG.log(
            System.Logger.Level.INFO,
            "OpenVPN client certificates now {0} (was {1}) after the authentication change",
            mode,
            current.clientCertificates());
      }
    }
    this.settings = next;
    // an idle server may sleep up to a minute: live sessions see the new timers at the next tick,
    // which an internal task brings forward
    control.submitInternal(() -> {});
  }

  @Override
  public ServerTlsContext tls() {
    return tls;
  }

  /** Builds a TLS context from settings (the client certificate mode chosen by the caller). */
  @FunctionalInterface
  interface TlsContextBuild {
    ServerTlsContext build(OpenVpnServerSettings settings) throws GeneralSecurityException;
  }

  /**
   * Installs the TLS context of {@code next}; if that fails and the client certificate mode
   * changed, the previous settings' certificate and policy with the new mode (the pipeline already
   * follows the reload). The error thrown is always the new settings' own; a fallback that fails
   * too is added to it as suppressed and logged, and the context in use (previous mode) stays: the
   * pipeline still enforces the authentication now on, only the TLS prompt lags.
   */
  static void replaceTlsContext(
      TlsContextBuild build,
      java.util.function.Consumer<ServerTlsContext> install,
      OpenVpnServerSettings next,
      OpenVpnServerSettings previous,
      boolean modeChanged)
      throws GeneralSecurityException {
    try {
      install.accept(build.build(next));
    } catch (GeneralSecurityException | RuntimeException e) {
      if (modeChanged) {
        try {
          install.accept(build.build(previous));
        } catch (GeneralSecurityException | RuntimeException fallback) {
          e.addSuppressed(fallback);
          LOG.log(
              System.Logger.Level.WARNING,
              "OpenVPN keeps its TLS context with the previous client certificate mode: the new"
                  + " settings failed ({0}) and so did the previous ones with the new mode ({1})",
              e.toString(),
              fallback.toString());
        }
      }
      throw e;
    }
  }

  /**
   * The control channel's TLS: a client certificate is required unless the gateway admits clients
   * without one (a password backend, our auth tokens with one, EAP); with certificate
   * authentication off it is not even asked for (openvpn's {@code verify-client-cert none}): a
   * profile that still carries one connects, and its certificate plays no part.
   */
  private ServerTlsContext tlsContext(
      OpenVpnServerSettings s, ServerTlsContext.ClientCertificates mode)
      throws GeneralSecurityException {
    return ServerTlsContext.create(s.serverCertificateChain(), s.serverPrivateKey(),
        s.tlsMinVersion(), s.tlsCipherSuites(), mode);
  }

  /** The client certificate mode the authentication on now calls for (see {@link #tlsContext}). */
  private ServerTlsContext.ClientCertificates clientCertificateMode() {
    var auth = admission.authentication();
    return !auth.acceptsCertificates()
        ? ServerTlsContext.ClientCertificates.NONE
        : auth.certificateOptional()
            ? ServerTlsContext.ClientCertificates.REQUESTED
            : ServerTlsContext.ClientCertificates.REQUIRED;
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
    return sinks.apply(clientAddress);
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
    return admittedSessions;
  }

  @Override
  public void runOnControlThread(Runnable task) {
    if (!control.isShutdown()) {
      control.submitInternal(task);
    }
  }

  @Override
  public void floated(OpenVpnClientSession session, InetSocketAddress oldRemote) {
    byUdpAddress.remove(oldRemote, session);
    byUdpAddress.put(session.link().remote(), session);
    LOG.log(System.Logger.Level.INFO, "{0} floated to {1}", session.id(), session.link().remote());
  }

  @Override
  public void established(OpenVpnClientSession session) {
    if (session.link().isStream()) {
      return;
    }
    for (OpenVpnClientSession other : sessions.keySet()) {
      if (other != session && !other.link().isStream()
          && other.link().remote().equals(session.link().remote())) {
        other.closeSilently("replaced by a new session from the same address");
      }
    }
  }

  @Override
  public void closed(OpenVpnClientSession session) {
    sessions.remove(session);
    handshakeEnded(session);
    byPeerId.compareAndSet(session.peerId(), session, null);
    if (!session.link().isStream()) {
      byUdpAddress.remove(session.link().remote(), session);
    }
  }

  /**
   * Ends, on the control thread, the live sessions whose login the reloaded authentication
   * settings no longer admit ({@link OpenVpnClientSession#rejudgeAfterReload}); call after the
   * reload reached the admission. Returns at once.
   */
  public void endSessionsNoLongerAdmitted() {
    runOnControlThread(() -> {
      for (OpenVpnClientSession s : sessions.keySet()) {
        try {
          s.rejudgeAfterReload();
        } catch (RuntimeException e) {
          // one session's failure must not keep the others under the old rules
          LOG.log(System.Logger.Level.WARNING, "{0}: could not judge it after the reload: {1}",
              s.id(), e.toString());
        }
      }
    });
  }

  /** Closes every session (clients are told to reconnect) and the sockets. */
  @Override
  public void close() {
    for (OpenVpnClientSession s : sessions.keySet()) {
      s.close("server shutting down");
    }
    try {
      control.shutdown(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    udp.close();
    tcp.close();
  }
}
