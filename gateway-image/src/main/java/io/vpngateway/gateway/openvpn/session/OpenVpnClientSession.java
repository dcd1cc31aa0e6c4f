package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.admission.ConnectionSlot;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import io.vpngateway.gateway.openvpn.crypto.TlsCrypt;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.OpenVpnException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Server;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import io.vpngateway.gateway.openvpn.transport.OpenVpnLink;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One OpenVPN client, from its hard reset to its end.
 *
 * <pre>
 *  HANDSHAKING ──cert + limits + cipher + address OK, key-method reply sent──▶ AUTHENTICATED
 *       │                                                                         │ PUSH_REQUEST
 *       └──refused: key-method reply + AUTH_FAILED,&lt;reason&gt;──▶ REFUSED        ▼
 *                                                  │ linger 3 s           ESTABLISHED ◀─┐
 *                                                  ▼                          │  renegotiate│
 *                                                CLOSED ◀── EXIT / ping-restart / close() ┘
 * </pre>
 *
 * <p>Threads: control packets and timers run on the server's control thread (one for all
 * sessions), so the key states need no locks. Data packets are decrypted on the thread that
 * received them and TUN packets are encrypted on the data-plane worker that read them; both only
 * touch {@link DataChannelKey}s published through {@link #dataKeys} and the volatile {@link
 * #sendKey}.
 *
 * <p>Renegotiation (reneg-sec / reneg-bytes, or started by the client with a soft reset) builds a
 * new key state on the next key id (1-7, wrapping past 0). Its data key decrypts at once; we start
 * sending with it once the client has acknowledged our key-method reply or used it itself, and the
 * old key keeps decrypting for a 60 s transition window.
 */
public final class OpenVpnClientSession implements TunnelSession {
  enum Phase { HANDSHAKING, AUTHENTICATED, ESTABLISHED, REFUSED, CLOSED }

  private static final System.Logger LOG = System.getLogger(OpenVpnClientSession.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long HANDSHAKE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long TRANSITION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long REFUSED_LINGER_NANOS = TimeUnit.SECONDS.toNanos(3);
  /**
   * Transmissions of our hard reset (about 7 s with the 1-2-4 s back-off) after which a client
   * that never acknowledged it is dropped: a replayed or spoofed reset must not keep a session
   * for the whole handshake window nor turn us into a reflector.
   */
  static final int MAX_UNANSWERED_RESET_SENDS = 3;
  /*
   * Crypto runs on heap (array-backed) buffers: the JDK's AEAD ciphers then work on the arrays in
   * place, while a direct buffer makes them copy through temporary arrays (JMH: 1.1 KB instead of
   * 2.5-2.9 KB allocated per 1400-byte packet). The copies to and from TUN's direct buffers are
   * plain memcpy; sockets copy heap buffers through their own cached direct buffers.
   */
  private static final ThreadLocal<ByteBuffer> SEAL_INPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(65536));
  private static final ThreadLocal<ByteBuffer> SEAL_OUTPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(65536 + 64));
  private static final ThreadLocal<ByteBuffer> TUN_OUTPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(65536));

  private final SessionHost host;
  private final OpenVpnLink link;
  private final TlsCrypt tlsCrypt;
  private final int peerId;
  private final long localSessionId;
  private final long remoteSessionId;
  private final String id;
  private final KeyState[] keyStates = new KeyState[8];
  private final AtomicReferenceArray<DataChannelKey> dataKeys = new AtomicReferenceArray<>(8);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final Instant since = Instant.now();

  private volatile DataChannelKey sendKey;
  private volatile int pendingKeyId = -1;
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile long lastSentNanos = System.nanoTime();
  private volatile ClientIdentity identity;
  private volatile AddressLease lease;
  /** Set with the lease, before any data key exists; checks the source is the lease. */
  private volatile InnerPacketSink innerSink;
  private volatile DataCipherSuite cipher;
  /** This session's connection of the gateway-wide budget, from admission to close. */
  private volatile ConnectionSlot slot;

  private Phase phase = Phase.HANDSHAKING;
  private boolean useEkm;
  private boolean registered;
  private int currentKeyId;
  private long refusedAtNanos;
  private DataChannelKey retiringKey;
  private long retireAtNanos;

  private OpenVpnClientSession(SessionHost host, OpenVpnLink link, TlsCrypt tlsCrypt, int peerId,
      long remoteSessionId, long localSessionId) {
    this.localSessionId = localSessionId;
    this.host = host;
    this.link = link;
    this.tlsCrypt = tlsCrypt;
    this.peerId = peerId;
    this.remoteSessionId = remoteSessionId;
    this.id = String.format("ovpn-%016x", localSessionId);
  }

  /**
   * Starts a session from a client's authenticated hard reset: acks it and answers with our own
   * hard reset. Control thread only.
   *
   * @param tlsCrypt the session's tls-crypt context, or null without tls-crypt
   */
  public static OpenVpnClientSession start(SessionHost host, OpenVpnLink link, TlsCrypt tlsCrypt,
      int peerId, OpenVpnControlPacket reset) throws OpenVpnException {
    OpenVpnClientSession s = new OpenVpnClientSession(host, link, tlsCrypt, peerId,
        reset.sessionId(), RANDOM.nextLong());
    KeyState ks = s.newKeyState(reset.keyId());
    ks.reliable.enqueue(OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2, new byte[0]);
    s.onControlPacket(reset);
    return s;
  }

  /**
   * Starts a session from the client's first packet after a stateless reset (see {@code
   * HandshakeCookies}): our session id is the cookie the client echoed, both resets count as
   * exchanged, and {@code first} (an ack, usually with the first TLS record) is processed.
   */
  public static OpenVpnClientSession startFromCookie(SessionHost host, OpenVpnLink link,
      TlsCrypt tlsCrypt, int peerId, long cookieSessionId, OpenVpnControlPacket first)
      throws OpenVpnException {
    OpenVpnClientSession s = new OpenVpnClientSession(host, link, tlsCrypt, peerId,
        first.sessionId(), cookieSessionId);
    KeyState ks = s.newKeyState(0);
    ks.reliable.assumeResetsExchanged();
    s.onControlPacket(first);
    return s;
  }

  private KeyState newKeyState(int keyId) throws OpenVpnException {
    KeyState ks = new KeyState(keyId, new TlsControlChannel(host.tls().newEngine()),
        System.nanoTime() + HANDSHAKE_WINDOW_NANOS);
    keyStates[keyId] = ks;
    return ks;
  }

  // ---------------------------------------------------------------- control channel (control thread)

  /** Authenticates (tls-crypt) and decodes a control packet, then processes it. */
  public void onControlBytes(ByteBuffer packet) {
    if (closed.get()) {
      return;
    }
    try {
      OpenVpnControlPacket p = tlsCrypt != null ? tlsCrypt.unwrap(packet)
          : OpenVpnControlPacket.decodePlain(packet);
      onControlPacket(p);
    } catch (PacketAuthenticationException e) {
      host.stats().authenticationDropped.increment();
    } catch (MalformedPacketException e) {
      host.stats().malformedDropped.increment();
    } catch (OpenVpnException e) {
      fail(e);
    }
  }

  void onControlPacket(OpenVpnControlPacket p) throws OpenVpnException {
    if (p.sessionId() != remoteSessionId
        || (p.acks().length > 0 && p.remoteSessionId() != localSessionId)) {
      host.stats().unknownSessionDropped.increment();
      return;
    }
    lastReceivedNanos = System.nanoTime();
    KeyState ks = keyStates[p.keyId()];
    boolean freshKeyId = ks == null || ks.state == KeyState.State.FAILED
        || (p.keyId() != currentKeyId && ks.state == KeyState.State.ACTIVE);
    if (p.opcode() == OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1 && freshKeyId) {
      if (phase != Phase.ESTABLISHED && phase != Phase.AUTHENTICATED) {
        return;
      }
      ks = newKeyState(p.keyId());
      ks.reliable.enqueue(OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1, new byte[0]);
      currentKeyId = p.keyId();
      LOG.log(System.Logger.Level.DEBUG, "{0}: client started renegotiation, key id {1}", id,
          p.keyId());
    }
    if (ks == null) {
      host.stats().unknownSessionDropped.increment();
      return;
    }
    try {
      for (OpenVpnControlPacket d : ks.reliable.receive(p)) {
        if (d.opcode() == OpenVpnOpcode.P_CONTROL_V1 || d.opcode() == OpenVpnOpcode.P_CONTROL_WKC_V1) {
          ks.onTlsRecord(d);
        }
      }
      advance(ks);
    } catch (OpenVpnException e) {
      failKeyState(ks, e);
    }
    flush(ks);
  }

  private void advance(KeyState ks) throws OpenVpnException {
    if (ks.state == KeyState.State.AWAIT_KEY_METHOD) {
      KeyMethod2Client km = ks.takeKeyMethod();
      if (km != null) {
        onKeyMethod(ks, km);
      }
    }
    if (ks.state == KeyState.State.ACTIVE) {
      for (String msg : ks.takeControlMessages()) {
        onControlMessage(ks, msg);
      }
    }
    ks.queueTlsOutput();
  }

  private void onKeyMethod(KeyState ks, KeyMethod2Client km) throws OpenVpnException {
    ks.clientKeyMethod = km;
    ks.serverRandom1 = random(32);
    ks.serverRandom2 = random(32);
    ks.state = KeyState.State.ACTIVE;
    RefusalReason refusal = phase == Phase.HANDSHAKING ? admit(ks, km) : reauthenticate(ks);
    ks.tls.send(new KeyMethod2Server(ks.serverRandom1, ks.serverRandom2, optionsString())
        .encode());
    if (refusal != null) {
      refuse(ks, refusal);
      return;
    }
    if (phase == Phase.HANDSHAKING) {
      phase = Phase.AUTHENTICATED;
      host.authenticated(this);
      sendKey = ks.dataKey;
      LOG.log(System.Logger.Level.INFO, "{0}: {1} authenticated from {2}, {3}, tls-ekm {4}", id,
          identity.name(), link.remote(), cipher.openVpnName(), useEkm);
    } else {
      pendingKeyId = ks.keyId;
      host.stats().renegotiations.increment();
      host.authTokens().ifPresent(t ->
          sendQuietly(ks, "AUTH_TOKEN," + t.issue(identity.name(), identity.groups(),
              Instant.now())));
    }
  }

  private ClientInfo clientInfo(KeyMethod2Client km) {
    return new ClientInfo(VpnProtocol.OpenVPN, id, link.remote(),
        km == null ? java.util.Map.of() : km.peerInfo().values());
  }

  /**
   * Decides whether the first key state's client may connect; null when admitted. Every refusal
   * goes through the gateway's admission, which reports it (log, metrics, management API).
   */
  private RefusalReason admit(KeyState ks, KeyMethod2Client km) throws OpenVpnException {
    AdmissionAttempt attempt = host.admission().begin(clientInfo(km));
    ClientCredentials offered = new ClientCredentials(attempt.client(),
        java.util.List.of(peerChain(ks)),
        km.password().isEmpty() ? Optional.empty()
            : Optional.of(PasswordCredential.of(km.username(), km.password())));
    // Certificate and auth-token checks complete at once; a password backend that answers later
    // (RADIUS, OIDC) needs the deferred-auth path (AUTH_PENDING), which this session lacks yet.
    java.util.concurrent.CompletableFuture<AuthResult> result =
        attempt.authenticate(offered).toCompletableFuture();
    AuthResult r = result.getNow(null);
    if (r == null || r instanceof AuthResult.Challenge || r instanceof AuthResult.Pending) {
      attempt.refuse(RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "this OpenVPN server cannot wait for a deferred authentication yet");
      return RefusalReason.AUTH_METHOD_NOT_SUPPORTED;
    }
    if (r instanceof AuthResult.Refused refused) {
      return refused.reason(); // reported by the attempt
    }
    identity = ((AuthResult.Accepted) r).identity();
    Optional<ConnectionSlot> reserved = attempt.reserve(identity);
    if (reserved.isEmpty()) {
      return RefusalReason.MAX_CONNECTIONS_REACHED;
    }
    slot = reserved.get();
    RefusalReason refusal = claimResources(ks, km);
    if (refusal != null) {
      attempt.refuse(refusal, refusalDetail(refusal));
      slot = null; // released by the attempt
      return refusal;
    }
    attempt.admitted();
    return null;
  }

  /** Cipher, address and registration of an authenticated client; null when all were given. */
  private RefusalReason claimResources(KeyState ks, KeyMethod2Client km) throws OpenVpnException {
    Optional<DataCipherSuite> chosen = CipherNegotiation.choose(host.settings().dataCiphers(),
        km.peerInfo());
    if (chosen.isEmpty()) {
      return RefusalReason.NO_COMMON_CIPHER;
    }
    cipher = chosen.get();
    useEkm = km.peerInfo().has(PeerInfo.IV_PROTO_TLS_KEY_EXPORT)
        && DataKeyDerivation.exporterWorks(ks.tls.session());
    Optional<AddressLease> l = host.allocator().allocate(identity, VpnProtocol.OpenVPN);
    if (l.isEmpty()) {
      return RefusalReason.ADDRESS_POOL_EXHAUSTED;
    }
    lease = l.get();
    innerSink = host.sinkFor(lease.address());
    try {
      host.registry().register(this);
      registered = true;
    } catch (IllegalStateException e) {
      return RefusalReason.ADDRESS_IN_USE;
    }
    installKey(ks);
    return null;
  }

  private String refusalDetail(RefusalReason reason) {
    switch (reason) {
      case NO_COMMON_CIPHER:
        return "the client offers none of " + host.settings().dataCiphers();
      case ADDRESS_POOL_EXHAUSTED:
        return "no free address in the pool for groups " + identity.groups();
      default:
        return reason.code();
    }
  }

  /** Every renegotiation re-checks the certificate, so a revocation also ends live sessions. */
  private RefusalReason reauthenticate(KeyState ks) throws OpenVpnException {
    try {
      ClientIdentity again = host.admission().authentication()
          .authenticateCertificate(peerChain(ks));
      // The address lease was chosen by name and groups: a renegotiation may present a renewed
      // certificate, but not become someone else or move to another group's pool.
      if (!again.name().equals(identity.name()) || !again.groups().equals(identity.groups())) {
        host.admission().report(clientInfo(ks.clientKeyMethod), identity.name(),
            RefusalReason.IDENTITY_CHANGED, "the renegotiation presented " + again.name()
                + " " + again.groups());
        return RefusalReason.IDENTITY_CHANGED;
      }
      // Keep the certificate actually presented now, so a later revocation re-check tests the
      // chain in use rather than the one from the first handshake.
      installKey(ks);
      identity = again;
    } catch (AuthenticationException e) {
      host.admission().report(clientInfo(ks.clientKeyMethod), identity.name(), e.reason(),
          e.getMessage());
      return e.reason();
    }
    return null;
  }

  private void installKey(KeyState ks) throws OpenVpnException {
    ks.dataKey = DataKeyDerivation.derive(ks, cipher, useEkm, remoteSessionId, localSessionId,
        peerId);
    dataKeys.set(ks.keyId, ks.dataKey);
  }

  private void refuse(KeyState ks, RefusalReason reason) throws OpenVpnException {
    host.stats().authFailures.increment();
    ks.sendControlMessage("AUTH_FAILED," + reason.code());
    if (phase == Phase.HANDSHAKING) {
      phase = Phase.REFUSED;
      refusedAtNanos = System.nanoTime();
    } else {
      ks.queueTlsOutput();
      flush(ks);
      closeNow("re-authentication refused: " + reason, false);
    }
  }

  private void onControlMessage(KeyState ks, String msg) throws OpenVpnException {
    if (msg.equals("PUSH_REQUEST")) {
      if (phase == Phase.REFUSED) {
        return;
      }
      if (phase == Phase.AUTHENTICATED || phase == Phase.ESTABLISHED) {
        String token = host.authTokens()
            .map(t -> t.issue(identity.name(), identity.groups(), Instant.now())).orElse(null);
        ks.sendControlMessage(PushReplyBuilder.build(host.settings(), lease, cipher, peerId,
            useEkm, token));
        if (phase == Phase.AUTHENTICATED) {
          phase = Phase.ESTABLISHED;
          host.stats().sessionsEstablished.increment();
          host.established(this);
        }
      }
    } else if (msg.equals("EXIT")) {
      closeNow("client sent EXIT", false);
    }
  }

  private X509Certificate[] peerChain(KeyState ks) throws OpenVpnException {
    try {
      Certificate[] certs = ks.tls.session().getPeerCertificates();
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return chain;
    } catch (javax.net.ssl.SSLPeerUnverifiedException | ClassCastException e) {
      throw new OpenVpnException("client presented no usable certificate");
    }
  }

  private String optionsString() {
    String c = cipher != null ? cipher.openVpnName() : "AES-256-GCM";
    return "V4,dev-type tun,link-mtu 1559,tun-mtu " + host.settings().tunMtu() + ",proto "
        + (link.isStream() ? "TCPv4_SERVER" : "UDPv4") + ",cipher " + c
        + ",auth [null-digest],keysize 256,key-method 2,tls-server";
  }

  private void sendQuietly(KeyState ks, String msg) {
    try {
      ks.sendControlMessage(msg);
    } catch (OpenVpnException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: could not send control message", id);
    }
  }

  private void flush(KeyState ks) {
    ks.queueTlsOutput();
    for (OpenVpnControlPacket p : ks.reliable.poll(System.nanoTime(), ks.keyId, localSessionId,
        remoteSessionId)) {
      byte[] wire = tlsCrypt != null ? tlsCrypt.wrap(p) : p.encodePlain();
      link.send(ByteBuffer.wrap(wire));
    }
  }

  private void failKeyState(KeyState ks, OpenVpnException e) {
    ks.state = KeyState.State.FAILED;
    LOG.log(System.Logger.Level.INFO, "{0}: key id {1} failed: {2}", id, ks.keyId, e.getMessage());
    if (phase == Phase.HANDSHAKING) {
      closeNow("handshake failed", false);
    }
  }

  private void fail(OpenVpnException e) {
    LOG.log(System.Logger.Level.INFO, "{0}: {1}", id, e.getMessage());
    closeNow(e.getMessage(), false);
  }

  /** Periodic work: retransmissions, keepalive, renegotiation, timeouts. Control thread. */
  public void tick(long now) {
    if (closed.get()) {
      return;
    }
    for (KeyState ks : keyStates) {
      if (ks == null) {
        continue;
      }
      if (ks.state != KeyState.State.ACTIVE && ks.state != KeyState.State.FAILED
          && now - ks.deadlineNanos > 0) {
        failKeyState(ks, new OpenVpnException("handshake window elapsed"));
        if (closed.get()) {
          return;
        }
      }
      if (phase == Phase.HANDSHAKING
          && ks.reliable.resetUnansweredAfter(MAX_UNANSWERED_RESET_SENDS, now)) {
        closeNow("client never answered our reset", false);
        return;
      }
      if (ks.state != KeyState.State.FAILED) {
        flush(ks);
      }
    }
    if (phase == Phase.REFUSED && now - refusedAtNanos > REFUSED_LINGER_NANOS) {
      closeNow("refused", false);
      return;
    }
    if (now - lastReceivedNanos > host.settings().keepaliveTimeout().toNanos()) {
      closeNow("ping-restart: no packet for " + host.settings().keepaliveTimeout().toSeconds()
          + " s", false);
      return;
    }
    if (phase != Phase.ESTABLISHED) {
      return;
    }
    promotePendingKeyIfAcked();
    if (retiringKey != null && now - retireAtNanos > 0) {
      if (dataKeys.get(retiringKey.keyId()) == retiringKey) {
        dataKeys.set(retiringKey.keyId(), null);
        keyStates[retiringKey.keyId()] = null;
      }
      retiringKey = null;
    }
    if (now - lastSentNanos > host.settings().keepaliveInterval().toNanos()) {
      sendPing();
    }
    maybeRenegotiate(now);
  }

  private void maybeRenegotiate(long now) {
    DataChannelKey k = sendKey;
    KeyState current = keyStates[currentKeyId];
    if (k == null || pendingKeyId >= 0 || current == null
        || current.state != KeyState.State.ACTIVE) {
      return;
    }
    long reneg = host.settings().renegotiateAfter().toNanos();
    long bytes = host.settings().renegotiateBytes();
    boolean due = (reneg > 0 && now - k.createdNanos() > reneg)
        || (bytes > 0 && k.bytes() > bytes)
        || k.encryptor().packetsSent() > io.vpngateway.gateway.openvpn.crypto.DataChannelEncryptor
            .PACKET_ID_SOFT_LIMIT;
    if (!due) {
      return;
    }
    int next = currentKeyId + 1 > 7 ? 1 : currentKeyId + 1;
    try {
      KeyState ks = newKeyState(next);
      currentKeyId = next;
      ks.reliable.enqueue(OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1, new byte[0]);
      flush(ks);
      LOG.log(System.Logger.Level.DEBUG, "{0}: renegotiating, key id {1}", id, next);
    } catch (OpenVpnException e) {
      LOG.log(System.Logger.Level.WARNING, "{0}: cannot start renegotiation: {1}", id,
          e.getMessage());
    }
  }

  private void promotePendingKeyIfAcked() {
    int pending = pendingKeyId;
    if (pending >= 0 && keyStates[pending] != null && keyStates[pending].reliable.allAcked()) {
      promote(pending);
    }
  }

  /** Switches sending to the renegotiated key; the old one keeps decrypting for a while. */
  private synchronized void promote(int keyId) {
    if (pendingKeyId != keyId) {
      return;
    }
    DataChannelKey next = dataKeys.get(keyId);
    DataChannelKey old = sendKey;
    if (next == null) {
      return;
    }
    sendKey = next;
    pendingKeyId = -1;
    if (old != null && old != next) {
      host.runOnControlThread(() -> {
        if (retiringKey != null && dataKeys.get(retiringKey.keyId()) == retiringKey) {
          dataKeys.set(retiringKey.keyId(), null);
        }
        retiringKey = old;
        retireAtNanos = System.nanoTime() + TRANSITION_WINDOW_NANOS;
      });
    }
  }

  // ---------------------------------------------------------------- data channel (any thread)

  /**
   * Decrypts a data packet (position 0 to limit; needs 16 spare bytes of capacity) into {@code
   * plain} and writes the inner packet to TUN, or to another client when client-to-client is on.
   */
  public void onDataPacket(ByteBuffer packet, InetSocketAddress from, ByteBuffer plain) {
    int first = packet.get(0) & 0xff;
    int keyId = first & 7;
    DataChannelKey k = dataKeys.get(keyId);
    if (k == null || closed.get()) {
      host.stats().unknownSessionDropped.increment();
      return;
    }
    int headerLength = (first >>> 3) == OpenVpnOpcode.P_DATA_V2.code() ? 4 : 1;
    if (headerLength == 4 && (packet.getInt(0) & 0xffffff) != peerId) {
      host.stats().unknownSessionDropped.increment();
      return;
    }
    int length = packet.remaining();
    try {
      k.decryptor().open(packet, headerLength, plain);
    } catch (PacketAuthenticationException e) {
      host.stats().authenticationDropped.increment();
      return;
    }
    lastReceivedNanos = System.nanoTime();
    bytesIn.add(length);
    k.addBytes(length);
    if (from != null && !link.isStream() && !from.equals(link.remote())) {
      InetSocketAddress old = link.remote();
      link.updateRemote(from);
      host.floated(this, old);
    }
    if (keyId == pendingKeyId) {
      promote(keyId);
    }
    deliverInner(plain);
  }

  private void deliverInner(ByteBuffer plain) {
    if (DataChannelMagic.isPing(plain)) {
      return;
    }
    if (DataChannelMagic.isOccExit(plain)) {
      host.runOnControlThread(() -> closeNow("client sent OCC EXIT", false));
      return;
    }
    // the session's sink checks the packet (IPv4, header and length, source address) and sends
    // client-to-client traffic to the other session when allowed
    InnerPacketSink sink = innerSink;
    if (plain.isDirect()) {
      sink.write(plain);
    } else {
      ByteBuffer tun = TUN_OUTPUT.get();
      tun.clear();
      tun.put(plain).flip();
      sink.write(tun);
    }
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {
    DataChannelKey k = sendKey;
    if (k == null || closed.get()) {
      return;
    }
    ByteBuffer in = ipPacket;
    if (!ipPacket.hasArray()) {
      in = SEAL_INPUT.get();
      in.clear();
      in.put(ipPacket).flip();
    }
    ByteBuffer out = SEAL_OUTPUT.get();
    try {
      k.encryptor().seal(in, out);
    } catch (java.security.GeneralSecurityException e) {
      return;
    }
    int n = out.remaining();
    link.send(out);
    bytesOut.add(n);
    k.addBytes(n);
    lastSentNanos = System.nanoTime();
  }

  private void sendPing() {
    deliverFromTun(ByteBuffer.wrap(DataChannelMagic.PING));
  }

  // ---------------------------------------------------------------- lifecycle

  /** Ends the session from any thread; the client is told to reconnect ({@code RESTART}). */
  @Override
  public void close(String reason) {
    host.runOnControlThread(() -> closeNow(reason, true));
  }

  /** Ends the session without telling the client (it was replaced or is gone). Any thread. */
  public void closeSilently(String reason) {
    host.runOnControlThread(() -> closeNow(reason, false));
  }

  void closeNow(String reason, boolean tellClient) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    phase = Phase.CLOSED;
    KeyState ks = keyStates[currentKeyId];
    if (tellClient && ks != null && ks.state == KeyState.State.ACTIVE) {
      try {
        ks.sendControlMessage("RESTART");
        flush(ks);
      } catch (OpenVpnException | RuntimeException e) {
        // best effort (the client's ping-restart covers a lost message); the clean-up below
        // must run whatever the TLS engine did
        LOG.log(System.Logger.Level.DEBUG, "{0}: could not send RESTART: {1}", id,
            e.getMessage());
      }
    }
    if (registered) {
      host.registry().unregister(this);
    }
    if (lease != null) {
      lease.release();
    }
    ConnectionSlot s = slot;
    if (s != null) {
      s.release();
    }
    for (int i = 0; i < 8; i++) {
      dataKeys.set(i, null);
      if (keyStates[i] != null) {
        keyStates[i].tls.close();
      }
    }
    sendKey = null;
    LOG.log(System.Logger.Level.INFO, "{0}: closed: {1}", id, reason);
    host.closed(this);
    if (link.isStream()) {
      link.close();
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  public int peerId() {
    return peerId;
  }

  public long clientSessionId() {
    return remoteSessionId;
  }

  public OpenVpnLink link() {
    return link;
  }

  Phase phase() {
    return phase;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.OpenVPN;
  }

  @Override
  public ClientIdentity identity() {
    return identity;
  }

  @Override
  public Inet4Address innerAddress() {
    AddressLease l = lease;
    return l == null ? null : l.address();
  }

  @Override
  public InetSocketAddress outerAddress() {
    return link.remote();
  }

  @Override
  public Instant since() {
    return since;
  }

  @Override
  public String cipher() {
    DataCipherSuite c = cipher;
    return c == null ? "" : c.openVpnName();
  }

  @Override
  public long bytesIn() {
    return bytesIn.sum();
  }

  @Override
  public long bytesOut() {
    return bytesOut.sum();
  }

  @Override
  public String toString() {
    return id + "[" + phase + ", peer-id " + peerId + ", " + link.remote() + "]";
  }
}
