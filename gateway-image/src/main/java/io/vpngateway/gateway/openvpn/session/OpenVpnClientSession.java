package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
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
import io.vpngateway.gateway.session.TunnelSession;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One OpenVPN client, from its hard reset to its end: the control channel (reliable layer, one
 * TLS session and key exchange per key state, control messages, renegotiation, the periodic tick)
 * and the lifecycle. Three parts are their own classes: {@link SessionAdmission} (who the client
 * is and what it was given: authentication, connection, cipher, address), {@link
 * SessionDataChannel} (data keys and packets) and {@link SessionTimers} (its deadlines and when it
 * next needs a tick).
 *
 * <pre>
 *  HANDSHAKING ──key-method 2──▶ admission ──admitted (at once)────────────────▶ AUTHENTICATED
 *       │                           │ later (a network backend, challenge, web      │ PUSH_REQUEST
 *       │                           ▼ sign-in: AuthConversation); reply sent        ▼
 *       │                     AUTHENTICATING ──admitted──▶ AUTHENTICATED      ESTABLISHED ◀─┐
 *       │                           │ refused / 60 s or the announced wait        │ renegotiate│
 *       └──refused: key-method reply + AUTH_FAILED,&lt;reason&gt;──▶ REFUSED ──3 s──▶ CLOSED     ┘
 *                                                       CLOSED ◀── EXIT / ping-restart / close()
 * </pre>
 *
 * <p>Threads: control packets and timers run on the server's control thread (one for all
 * sessions), so the key states need no locks. Data packets are decrypted on the thread that
 * received them and TUN packets are encrypted on the data-plane worker that read them; both only
 * touch the keys {@link SessionDataChannel} publishes.
 *
 * <p>Renegotiation (reneg-sec / reneg-bytes, or started by the client with a soft reset) builds a
 * new key state on the next key id (1-7, wrapping past 0). Its data key decrypts at once; we start
 * sending with it once the client has acknowledged our key-method reply or used it itself, and the
 * old key keeps decrypting for a 60 s transition window. A renegotiation that fails (a TLS error,
 * no answer within its 60 s handshake window) ends the session, as openvpn's does (see {@link
 * #failKeyState}).
 */
public final class OpenVpnClientSession implements TunnelSession {
  enum Phase {
    HANDSHAKING,
    AUTHENTICATING,
    AUTHENTICATED,
    ESTABLISHED,
    REFUSED,
    CLOSED
  }

  private static final System.Logger LOG = System.getLogger(OpenVpnClientSession.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Transmissions of our hard reset (about 7 s with the 1-2-4 s back-off) after which a client
   * that never acknowledged it is dropped: a replayed or spoofed reset must not keep a session
   * for the whole handshake window nor turn us into a reflector.
   */
  static final int MAX_UNANSWERED_RESET_SENDS = 3;

  private final SessionHost host;
  private final OpenVpnLink link;
  private final TlsCrypt tlsCrypt;
  private final int peerId;
  private final long localSessionId;
  private final long remoteSessionId;
  private final String id;
  private final KeyState[] keyStates = new KeyState[8];
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Instant since = Instant.now();
  private final SessionAdmission admission;
  private final SessionDataChannel data;
  private final SessionTimers timers;

  private Phase phase = Phase.HANDSHAKING;
  private int currentKeyId;

  private OpenVpnClientSession(SessionHost host, OpenVpnLink link, TlsCrypt tlsCrypt, int peerId,
      long remoteSessionId, long localSessionId) {
    this.localSessionId = localSessionId;
    this.host = host;
    this.link = link;
    this.tlsCrypt = tlsCrypt;
    this.peerId = peerId;
    this.remoteSessionId = remoteSessionId;
    this.id = String.format("ovpn-%016x", localSessionId);
    this.admission = new SessionAdmission(host, this, link::remote);
    this.data = new SessionDataChannel(id, link, peerId, host.stats(),
        new SessionDataChannel.Events() {
          @Override
          public void floated(InetSocketAddress oldRemote) {
            host.floated(OpenVpnClientSession.this, oldRemote);
          }

          @Override
          public void exitRequested() {
            host.runOnControlThread(() -> closeNow("client sent OCC EXIT", false));
          }

          @Override
          public void onControlThread(Runnable task) {
            host.runOnControlThread(task);
          }
        });
    this.timers = new SessionTimers(host, data);
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
        timers.handshakeDeadline(System.nanoTime()));
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
      host.stats().rejected(e);
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
    data.touchReceived();
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
    if (phase != Phase.HANDSHAKING) {
      RefusalReason refusal = admission.reauthenticate(peerChain(ks), km);
      if (refusal == null) {
        installKey(ks);
      }
      sendKeyMethodReply(ks);
      if (refusal != null) {
        refuse(ks, refusal);
        return;
      }
      data.pend(ks.keyId);
      host.stats().renegotiations.increment();
      host.authTokens().ifPresent(t -> sendQuietly(ks, "AUTH_TOKEN,"
          + issueToken(t, identity())));
      return;
    }
    CompletableFuture<Optional<SessionAdmission.Refusal>> decision = admission.admit(
        peerChain(ks), km, () -> DataKeyDerivation.exporterWorks(ks),
        (wait, messages) -> awaitAuthentication(ks, wait, messages));
    if (decision.isDone()) {
      // the usual case (certificates, auth tokens): decided before we answer, as openvpn does
      admitted(ks, decision.join(), true);
      return;
    }
    // a network backend decides later: answer now, hold the push until it has
    sendKeyMethodReply(ks);
    phase = Phase.AUTHENTICATING;
    timers.authenticateBy(ks.deadlineNanos);
    decision.thenAccept(refusal -> {
      if (closed.get() || phase != Phase.AUTHENTICATING) {
        return;
      }
      try {
        admitted(ks, refusal, false);
      } catch (OpenVpnException e) {
        failKeyState(ks, e);
      }
      flush(ks);
    });
  }

  /**
   * The authentication goes on (a challenge, a web sign-in, a slow backend): tells the client
   * ({@code AUTH_PENDING}, {@code INFO_PRE}) and waits that long for it, push withheld.
   */
  private void awaitAuthentication(KeyState ks, Duration wait, List<String> messages) {
    if (closed.get() || phase != Phase.AUTHENTICATING) {
      return;
    }
    timers.authenticationAnnounced(wait);
    try {
      for (String m : messages) {
        ks.sendControlMessage(m);
      }
    } catch (OpenVpnException e) {
      failKeyState(ks, e);
    }
    flush(ks);
  }

  /** Concludes the first key state's admission (control thread). */
  private void admitted(
      KeyState ks, Optional<SessionAdmission.Refusal> refusal, boolean replyFirst)
      throws OpenVpnException {
    if (refusal.isEmpty()) {
      data.sinkTo(host.sinkFor(admission.lease().address()));
      installKey(ks);
    }
    if (replyFirst) {
      sendKeyMethodReply(ks);
    }
    if (refusal.isPresent()) {
      refuse(ks, refusal.get());
      return;
    }
    phase = Phase.AUTHENTICATED;
    host.authenticated(this);
    data.startWith(ks.dataKey);
    LOG.log(System.Logger.Level.INFO, "{0}: {1} authenticated from {2}, {3}, tls-ekm {4}", id,
        identity().name(), link.remote(), admission.cipher().openVpnName(), admission.useEkm());
    if (ks.clientKeyMethod.peerInfo().has(PeerInfo.IV_PROTO_REQUEST_PUSH)) {
      // the client takes a push it did not ask for (openvpn 2.6 multi.c treats this bit as a
      // PUSH_REQUEST received): it would otherwise ask only when its 1 s push timer fires
      pushReply(ks);
    }
  }

  private void sendKeyMethodReply(KeyState ks) throws OpenVpnException {
    ks.tls.send(new KeyMethod2Server(ks.serverRandom1, ks.serverRandom2, optionsString())
        .encode());
  }

  private void installKey(KeyState ks) throws OpenVpnException {
    ks.dataKey = DataKeyDerivation.derive(ks, admission.cipher(), admission.useEkm(),
        remoteSessionId, localSessionId, peerId);
    data.install(ks.dataKey);
  }

  private void refuse(KeyState ks, RefusalReason reason) throws OpenVpnException {
    refuse(ks, SessionAdmission.Refusal.of(reason));
  }

  private void refuse(KeyState ks, SessionAdmission.Refusal refusal) throws OpenVpnException {
    RefusalReason reason = refusal.reason();
    host.stats().authFailures.increment();
    boolean firstKey = phase == Phase.HANDSHAKING || phase == Phase.AUTHENTICATING;
    if (firstKey) {
      phase = Phase.REFUSED; // before sending: a failed send must not leave it authenticating
      timers.refused(System.nanoTime());
    }
    ks.sendControlMessage("AUTH_FAILED," + refusal.clientText());
    if (!firstKey) {
      ks.queueTlsOutput();
      flush(ks);
      closeNow("re-authentication refused: " + reason.code(), false);
    }
  }

  private void onControlMessage(KeyState ks, String msg) throws OpenVpnException {
    if (msg.equals("PUSH_REQUEST")) {
      if (phase == Phase.AUTHENTICATED || phase == Phase.ESTABLISHED) {
        pushReply(ks);
      }
    } else if (msg.equals("EXIT")) {
      closeNow("client sent EXIT", false);
    } else if (msg.startsWith("CR_RESPONSE,") && phase == Phase.AUTHENTICATING) {
      admission.onCrResponse(msg.substring("CR_RESPONSE,".length()));
    }
  }

  /** A token for {@code who}, recording what its login proved (see {@link AuthTokens}). */
  private static String issueToken(AuthTokens tokens, ClientIdentity who) {
    return tokens.issue(who.name(), who.groups(), Instant.now(), who.assigned().notAfter(),
        new AuthTokens.Proven(who.usedCertificate(), who.provedPassword()));
  }

  /** Sends the client its options (PUSH_REPLY); the first one establishes the session. */
  private void pushReply(KeyState ks) throws OpenVpnException {
    ClientIdentity who = identity();
    String token = host.authTokens()
        .map(t -> issueToken(t, who))
        .orElse(null);
    OpenVpnServerSettings settings = host.settings();
    ks.sendControlMessage(PushReplyBuilder.build(settings, admission.lease(),
        admission.cipher(), peerId, admission.useEkm(), token));
    timers.pushed(settings);
    if (phase == Phase.AUTHENTICATED) {
      phase = Phase.ESTABLISHED;
      host.stats().sessionsEstablished.increment();
      host.established(this);
    }
  }

  /** The client's certificate chain from the TLS session; empty when it sent none. */
  private static X509Certificate[] peerChain(KeyState ks) throws OpenVpnException {
    try {
      Certificate[] certs = ks.tls.session().getPeerCertificates();
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return chain;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return new X509Certificate[0];
    } catch (ClassCastException e) {
      throw new OpenVpnException("client presented no usable certificate");
    }
  }

  private String optionsString() {
    DataCipherSuite cipher = admission.cipher();
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
    flush(ks, System.nanoTime());
  }

  /**
   * Sends what {@code ks} has due at {@code now}: new messages, acks, and retransmissions whose
   * timer ran out (the tick passes its own clock, so the timers follow it).
   */
  private void flush(KeyState ks, long now) {
    ks.queueTlsOutput();
    for (OpenVpnControlPacket p : ks.reliable.poll(now, ks.keyId, localSessionId,
        remoteSessionId)) {
      byte[] wire = tlsCrypt != null ? tlsCrypt.wrap(p) : p.encodePlain();
      link.send(ByteBuffer.wrap(wire));
    }
  }

  /**
   * A key state failed: a TLS or protocol error, or its handshake window elapsed. Before the
   * admission this ends the session. After it, the failure of the current key state (a
   * renegotiation started by either side, or the established control channel itself) ends the
   * session too, with a {@code RESTART} on the key the client still reads ({@link
   * #keyStateClientReads}); a failed key state that is no longer current (superseded, in its
   * transition window) only stops, as openvpn drops a lame-duck key in error.
   *
   * <p>Why close rather than go back to the old key and renegotiate again later: openvpn 2.6
   * treats a TLS error on the active session's primary key as the end of that TLS session
   * ({@code ssl.c: tls_multi_process} resets it; over TCP any such error restarts the instance,
   * over UDP the old key survives only as a lame duck until its transition window ends, which a
   * renegotiation that timed out has used up, and nothing renegotiates again, so ping-restart
   * ends it), and an openvpn client whose own side failed restarts as well: a session kept on the
   * old key would carry traffic for a client that has given up on it. Retrying would also let a
   * client start failing TLS handshakes (a server engine each) as fast as it sends soft resets,
   * where a reconnect goes through the per-source handshake limit.
   */
  private void failKeyState(KeyState ks, OpenVpnException e) {
    ks.state = KeyState.State.FAILED;
    LOG.log(System.Logger.Level.INFO, "{0}: key id {1} failed: {2}", id, ks.keyId, e.getMessage());
    if (phase == Phase.HANDSHAKING || phase == Phase.AUTHENTICATING) {
      closeNow("handshake failed", false);
    } else if ((phase == Phase.AUTHENTICATED || phase == Phase.ESTABLISHED)
        && keyStates[currentKeyId] == ks) {
      closeNow((ks.dataKey == null ? "renegotiation" : "control channel") + " of key id "
          + ks.keyId + " failed: " + e.getMessage(), true);
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
        flush(ks, now);
      }
    }
    if (phase == Phase.AUTHENTICATING && timers.authenticationOverdue(now)) {
      // the backend never answered: refuse (reported), linger so AUTH_FAILED gets through.
      // The phase leaves AUTHENTICATING first, so the decision that release() completes is
      // ignored instead of refusing a second time.
      KeyState ks = keyStates[currentKeyId];
      try {
        if (ks != null) {
          refuse(ks, RefusalReason.AUTH_TIMEOUT);
          flush(ks);
        } else {
          phase = Phase.REFUSED;
          timers.refused(now);
        }
      } catch (OpenVpnException e) {
        admission.release(RefusalReason.AUTH_TIMEOUT, "no authentication answer in time");
        closeNow("authentication timed out", false);
        return;
      }
      admission.release(RefusalReason.AUTH_TIMEOUT, "no authentication answer in time");
    }
    if (phase == Phase.REFUSED && timers.refusalLingerOver(now)) {
      closeNow("refused", false);
      return;
    }
    SessionTimers.Keepalive keepalive = timers.keepalive();
    if (now - data.lastReceivedNanos() > keepalive.timeoutNanos()) {
      closeNow("ping-restart: no packet for " + keepalive.timeoutSeconds() + " s", false);
      return;
    }
    if (phase != Phase.ESTABLISHED) {
      return;
    }
    promotePendingKeyIfAcked();
    int retired = data.retireExpired(now);
    if (retired >= 0) {
      keyStates[retired] = null;
    }
    long interval = keepalive.intervalNanos();
    data.keepaliveRide(interval / 2);
    if (now - data.lastSentNanos() > interval) {
      data.sendPing();
    }
    maybeRenegotiate(now);
  }

  /**
   * The latest time ({@link System#nanoTime}) at which {@link #tick} must run again; call after a
   * tick. Which of the session's deadlines and work under way decide it: {@link
   * SessionTimers#nextTickNanos}. Control thread.
   */
  public long nextTickNanos(long now, long fastNanos, long slowNanos) {
    if (closed.get()) {
      return now + TimeUnit.DAYS.toNanos(1);
    }
    return timers.nextTickNanos(now, fastNanos, slowNanos, phase, keyStates, currentKeyId);
  }

  private void maybeRenegotiate(long now) {
    DataChannelKey k = data.sendKey();
    KeyState current = keyStates[currentKeyId];
    if (k == null || data.pendingKeyId() >= 0 || current == null
        || current.state != KeyState.State.ACTIVE) {
      return;
    }
    if (!timers.renegotiationDue(now, k)) {
      return;
    }
    int next = currentKeyId + 1 > 7 ? 1 : currentKeyId + 1;
    try {
      KeyState ks = newKeyState(next);
      currentKeyId = next;
      ks.reliable.enqueue(OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1, new byte[0]);
      flush(ks, now);
      LOG.log(System.Logger.Level.DEBUG, "{0}: renegotiating, key id {1}", id, next);
    } catch (OpenVpnException e) {
      LOG.log(System.Logger.Level.WARNING, "{0}: cannot start renegotiation: {1}", id,
          e.getMessage());
    }
  }

  private void promotePendingKeyIfAcked() {
    int pending = data.pendingKeyId();
    if (pending >= 0 && keyStates[pending] != null && keyStates[pending].reliable.allAcked()) {
      data.promote(pending);
    }
  }

  // ---------------------------------------------------------------- data channel (any thread)

  /**
   * Decrypts a data packet (position 0 to limit; needs 16 spare bytes of capacity) into {@code
   * plain} and writes the inner packet to TUN, or to another client when client-to-client is on.
   */
  public void onDataPacket(ByteBuffer packet, InetSocketAddress from, ByteBuffer plain) {
    data.onDataPacket(packet, from, plain);
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {
    data.deliverFromTun(ipPacket);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Ends the session from any thread; the client is told to reconnect ({@code RESTART}). */
  @Override
  public void close(String reason) {
    host.runOnControlThread(() -> closeNow(reason, true));
  }

  /**
   * Holds the session to reloaded authentication rules ({@link SessionAdmission#rejudgeAtReload})
   * at once rather than at its next renegotiation: a login they no longer admit ends with {@code
   * RESTART} to the client, as a revocation does. Runs on the control thread, so it never races
   * a renegotiation's own check (which judges the same way afterwards) or a close.
   */
  public void rejudgeAfterReload() {
    if (closed.get() || (phase != Phase.AUTHENTICATED && phase != Phase.ESTABLISHED)) {
      return;
    }
    KeyState ks = keyStateClientReads();
    X509Certificate[] chain;
    try {
      chain = ks == null ? new X509Certificate[0] : peerChain(ks);
    } catch (OpenVpnException e) {
      chain = new X509Certificate[0];
    }
    RefusalReason refusal =
        admission.rejudgeAtReload(chain, ks == null ? null : ks.clientKeyMethod);
    if (refusal != null) {
      ClientIdentity who = identity();
      LOG.log(System.Logger.Level.INFO,
          "{0}: ending the session of {1}: the reloaded authentication settings no longer admit"
              + " it ({2})", id, who == null ? "?" : who.name(), refusal.code());
      closeNow("no longer admitted after a reload: " + refusal.code(), true);
    }
  }

  /** Ends the session without telling the client (it was replaced or is gone). Any thread. */
  public void closeSilently(String reason) {
    host.runOnControlThread(() -> closeNow(reason, false));
  }

  void closeNow(String reason, boolean tellClient) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    KeyState ks = keyStateClientReads();
    data.close();
    phase = Phase.CLOSED;
    if (tellClient && ks != null) {
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
    admission.release(RefusalReason.AUTH_TIMEOUT,
        "the session ended before its authentication completed: " + reason);
    for (int i = 0; i < 8; i++) {
      if (keyStates[i] != null) {
        keyStates[i].tls.close();
        // a refusal decided after the tls-ekm export (pool exhausted) never derived keys from it
        DataKeyDerivation.wipe(keyStates[i]);
      }
    }
    LOG.log(System.Logger.Level.INFO, "{0}: closed: {1}", id, reason);
    host.closed(this);
    if (link.isStream()) {
      link.close();
    }
  }

  /**
   * The active key state whose control channel the client reads: the current one, or while a
   * renegotiation is under way (or has just failed) the one the data channel still sends with,
   * which a client that has not yet taken our soft reset still reads; null when there is none.
   */
  private KeyState keyStateClientReads() {
    KeyState current = keyStates[currentKeyId];
    if (current != null && current.state == KeyState.State.ACTIVE) {
      return current;
    }
    DataChannelKey k = data.sendKey();
    KeyState sending = k == null ? null : keyStates[k.keyId()];
    return sending != null && sending.state == KeyState.State.ACTIVE && sending.dataKey == k
        ? sending : null;
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
    return admission.identity();
  }

  @Override
  public Inet4Address innerAddress() {
    AddressLease l = admission.lease();
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
    DataCipherSuite c = admission.cipher();
    return c == null ? "" : c.openVpnName();
  }

  @Override
  public long bytesIn() {
    return data.bytesIn();
  }

  @Override
  public long bytesOut() {
    return data.bytesOut();
  }

  @Override
  public String toString() {
    return id + "[" + phase + ", peer-id " + peerId + ", " + link.remote() + "]";
  }
}
