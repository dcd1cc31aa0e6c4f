package io.vpngateway.gateway.sstp.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.admission.ConnectionSlot;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.protocol.ConnectionThreads;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import java.util.Optional;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpHttpRequest;
import io.vpngateway.gateway.sstp.message.SstpPacketHeader;
import io.vpngateway.gateway.sstp.message.SstpPacketReader;
import io.vpngateway.gateway.sstp.message.SstpStatus;
import io.vpngateway.gateway.sstp.ppp.message.PppFrame;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import io.vpngateway.gateway.sstp.ppp.session.AuthResult;
import io.vpngateway.gateway.sstp.ppp.session.PppSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One SSTP client connection, from the TCP accept to the close, and the {@link TunnelSession} it
 * becomes: TLS (server mode, no client certificate at this layer), the HTTP {@code
 * SSTP_DUPLEX_POST} exchange, then SSTP packets: control packets drive {@link
 * SstpControlStateMachine}, data packets carry PPP frames for {@link PppSession}, whose login
 * goes through the gateway's admission in {@link SstpPppLogin}.
 *
 * <p>Threads: the connection's reader thread runs {@link #run} (TLS, HTTP, every received
 * packet); its writer thread drains {@link SstpLink}; the server's timer thread calls {@link
 * #tick}; data-plane threads call {@link #deliverFromTun}. Every state machine runs under this
 * object's lock; {@link #deliverFromTun} takes no lock.
 *
 * <p>The session becomes active (registered, data flowing) when both the SSTP call is connected
 * with a valid crypto binding and IPCP is open; whichever comes last activates it (sstpc sends
 * Call Connected after IPCP, Windows before).
 */
public final class SstpConnection implements TunnelSession, PppSession.Host {
  private static final Logger LOG = Logger.getLogger(SstpConnection.class.getName());
  /** Control frames a client may send in a burst, and per second after it (a flood guard). */
  static final int CONTROL_BURST = 200;
  static final int CONTROL_PER_SECOND = 50;
  /** Control frames over the budget after which the call is aborted as a flood. */
  static final int FLOOD_LIMIT = 2000;
  private static final long DISCONNECT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(3);
  private static final byte[] NOT_FOUND =
      ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final Socket raw;
  private final byte[] alreadyRead;
  private final SstpServerContext ctx;
  private final Consumer<SstpConnection> onEnd;
  private final String id;
  private final InetSocketAddress remote;
  private final long openedNanos = System.nanoTime();
  /**
   * Serialises the state machines. A ReentrantLock rather than the monitor so that the timer
   * thread can skip a connection that is busy (e.g. waiting for a RADIUS answer) instead of
   * stalling every other connection's timers behind it.
   */
  private final ReentrantLock lock = new ReentrantLock();
  private SSLSocket tls;
  private SstpLink link;
  private SstpControlStateMachine control;
  private PppSession ppp;
  private volatile boolean active;
  private boolean httpDone;
  private boolean registered;
  private final SstpPppLogin login;
  private ConnectionSlot slot;
  private volatile ClientIdentity identity;
  private volatile AddressLease lease;
  private InnerPacketSink sink;
  /**
   * The received IPv4 packet for the sink (reader thread only): direct, as the TUN writes by
   * address; one per connection, allocated with the first packet (no SSTP packet exceeds 4095
   * octets).
   */
  private ByteBuffer received;
  private volatile Instant since = Instant.now();
  private volatile String cipher = "";
  private volatile long bytesIn;
  private volatile long bytesOut;
  private long lastReceivedNanos = System.nanoTime();
  private boolean echoOutstanding;
  private long closeDeadlineNanos;
  private double controlTokens = CONTROL_BURST;
  private long tokensAtNanos = System.nanoTime();
  private int overBudget;
  private volatile String endReason;
  private volatile boolean ended;

  public SstpConnection(
      Socket raw, byte[] alreadyRead, SstpServerContext ctx, Consumer<SstpConnection> onEnd) {
    this.raw = raw;
    this.alreadyRead = alreadyRead == null ? new byte[0] : alreadyRead;
    this.ctx = ctx;
    this.onEnd = onEnd;
    this.remote = (InetSocketAddress) raw.getRemoteSocketAddress();
    byte[] idBytes = new byte[8];
    ctx.random().nextBytes(idBytes);
    this.id = "sstp-" + HexFormat.of().formatHex(idBytes);
    this.login = new SstpPppLogin(ctx, id, remote);
  }

  /** The reader thread's body: runs the connection to its end, then cleans up. */
  public void run() {
    try {
      if (!handshake()) {
        return;
      }
      SstpPacketReader reader = new SstpPacketReader(tls.getInputStream());
      while (reader.next()) {
        lock.lock();
        try {
          if (link.isClosed()) {
            break;
          }
          lastReceivedNanos = System.nanoTime();
          echoOutstanding = false;
          if (reader.isControl()) {
            if (spendControlToken()) {
              controlEvent(control.receive(reader.copy()));
            }
          } else {
            receiveData(reader.buffer(), reader.length());
          }
        } finally {
          lock.unlock();
        }
      }
      endIfNot("the client closed the connection");
    } catch (MalformedSstpException e) {
      ctx.stats().protocolErrors.increment();
      lock.lock();
      try {
        if (control != null) {
          control.abort(e.status(), e.getMessage());
        }
      } finally {
        lock.unlock();
      }
      endIfNot("malformed SSTP stream: " + e.getMessage());
    } catch (SocketTimeoutException e) {
      ctx.stats().slowClients.increment();
      endIfNot("too slow: no TLS handshake and HTTP request within " + ctx.handshakeTimeout());
    } catch (SSLException e) {
      if (!httpDone) {
        ctx.stats().tlsFailures.increment();
      }
      endIfNot("TLS: " + e.getMessage());
    } catch (IOException e) {
      endIfNot("connection lost: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "SSTP connection " + id + " failed", e);
      endIfNot("internal error: " + e);
    } finally {
      cleanup();
    }
  }

  /** TLS handshake and the HTTP exchange; false when the connection is already over. */
  private boolean handshake() throws IOException, MalformedSstpException {
    raw.setSoTimeout((int) ctx.handshakeTimeout().toMillis());
    raw.setTcpNoDelay(true);
    InputStream consumed = new ByteArrayInputStream(alreadyRead);
    tls = (SSLSocket) ctx.tls().createSocket(raw, consumed, true);
    tls.setUseClientMode(false);
    tls.setEnabledProtocols(ctx.tlsProtocols());
    if (ctx.tlsCipherSuites() != null) {
      tls.setEnabledCipherSuites(ctx.tlsCipherSuites());
    }
    tls.startHandshake();
    cipher = tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite();
    LOG.fine(() -> "SSTP " + remote + ": TLS handshake done, " + cipher);
    SstpHttpRequest request = SstpHttpRequest.read(tls.getInputStream());
    LOG.fine(() -> "SSTP " + remote + ": HTTP request " + printable(request.method()));
    if (!request.isSstp()) {
      ctx.stats().notSstpRequests.increment();
      tls.getOutputStream().write(NOT_FOUND);
      tls.getOutputStream().flush();
      endIfNot("not an SSTP request: " + printable(request.method()) + " " + printable(request.uri()));
      return false;
    }
    raw.setSoTimeout(0);
    lock.lock();
    try {
      link = new SstpLink(tls.getOutputStream(), this::closeSocket, ctx.stats().sendQueueDropped);
      control = new SstpControlStateMachine(ctx.bindingCheck(), ctx.random(), this::sendControl);
      httpDone = true;
      lastReceivedNanos = System.nanoTime();
    } finally {
      lock.unlock();
    }
    ConnectionThreads.get().start("sstp-write-" + remote, link::writeLoop);
    link.send(SstpHttpRequest.OK_RESPONSE, false);
    ctx.stats().sstpRequests.increment();
    return true;
  }

  private void receiveData(byte[] buf, int length) {
    if (!control.pppAllowed() || ppp == null) {
      ctx.stats().pppFramesDropped.increment();
      return;
    }
    int at = SstpPacketHeader.LENGTH;
    if (!isIpv4(buf, at, length - at) && !spendControlToken()) {
      return;
    }
    long before = ppp.counters().malformed() + ppp.counters().wrongPhase();
    ppp.receive(buf, at, length - at);
    if (ppp.counters().malformed() + ppp.counters().wrongPhase() != before) {
      ctx.stats().pppFramesDropped.increment();
    }
  }

  /** Whether the frame is IPv4, checked without parsing it into an object (every data packet). */
  private static boolean isIpv4(byte[] buf, int at, int length) {
    if (length >= 4 && (buf[at] & 0xff) == 0xff && buf[at + 1] == 0x03) {
      at += 2;
      length -= 2;
    }
    return length >= 2
        && ((buf[at] & 0xff) == (PppProtocol.IPV4 & 0xff)
            || (buf[at] == 0 && (buf[at + 1] & 0xff) == (PppProtocol.IPV4 & 0xff)));
  }

  /** Token bucket over control frames (SSTP control and PPP non-IPv4); false to drop this one. */
  private boolean spendControlToken() {
    long now = System.nanoTime();
    controlTokens =
        Math.min(CONTROL_BURST, controlTokens + (now - tokensAtNanos) * CONTROL_PER_SECOND / 1e9);
    tokensAtNanos = now;
    if (controlTokens >= 1) {
      controlTokens -= 1;
      return true;
    }
    ctx.stats().pppFramesDropped.increment();
    if (++overBudget == FLOOD_LIMIT) {
      ctx.stats().controlFloods.increment();
      controlEvent(control.abort(SstpStatus.INVALID_FRAME_RECEIVED, "control frame flood"));
    }
    return false;
  }

  private void controlEvent(SstpControlStateMachine.Event event) {
    switch (event) {
      case START_PPP -> {
        ppp =
            new PppSession(
                ctx.ppp(),
                ctx.random(),
                PppSession.authenticators(
                    login::verifyMsChapV2,
                    login::eapBackend,
                    remote,
                    ctx.random(),
                    this::sendPppControl),
                this);
        ppp.start();
      }
      case CONNECTED -> {
        maybeActivate();
      }
      case ABORTED -> {
        if (control.bindingFailure() != null) {
          ctx.stats().bindingFailures.increment();
        } else if (control.abortReason() != null
            && !control.abortReason().startsWith("the client")) {
          ctx.stats().protocolErrors.increment();
        }
        end(control.abortReason());
      }
      case DISCONNECTED -> end("disconnected");
      default -> {}
    }
  }

  private void sendControl(SstpControlMessage m) {
    link.send(m.encode(), false);
  }

  /** Used by the auth machines (protocol, packet) through the PPP session. */
  private void sendPppControl(Integer protocol, byte[] packet) {
    sendFrame(PppFrame.encode(protocol, packet));
  }

  @Override
  public void sendFrame(byte[] frame) {
    if (!control.pppAllowed() || frame.length + SstpPacketHeader.LENGTH > SstpPacketHeader.MAX_LENGTH) {
      return;
    }
    byte[] packet = new byte[SstpPacketHeader.LENGTH + frame.length];
    SstpPacketHeader.encode(packet, false, packet.length);
    System.arraycopy(frame, 0, packet, SstpPacketHeader.LENGTH, frame.length);
    link.send(packet, false);
  }

  @Override
  public PppSession.LinkAddresses authenticated(AuthResult result) {
    identity = result.identity();
    AdmissionAttempt attempt = login.attempt();
    try {
      // a login under way when a reload tightened the rules is held to the new ones: refused
      // here before it takes an address (maybeActivate judges it again once registered)
      attempt.requireLiveRules(identity);
    } catch (AuthenticationException e) {
      ctx.stats().admissionRefused.increment();
      return null; // reported by the attempt
    }
    Optional<ConnectionSlot> taken = attempt.reserve(identity);
    if (taken.isEmpty()) {
      ctx.stats().admissionRefused.increment();
      return null; // reported by the admission (MaxConnectionsReached)
    }
    slot = taken.get();
    lease = ctx.allocator().allocate(identity, VpnProtocol.SSTP).orElse(null);
    if (lease == null) {
      ctx.stats().admissionRefused.increment();
      attempt.refuse(
          RefusalReason.ADDRESS_POOL_EXHAUSTED,
          "the pool for groups " + identity.groups() + " has no free address");
      slot = null;
      return null;
    }
    control.innerAuthenticationCompleted(result.hlak(), result.alternateHlak());
    java.util.Arrays.fill(result.hlak(), (byte) 0);
    return new PppSession.LinkAddresses(lease.address(), lease.gateway());
  }

  @Override
  public void networkUp() {
    maybeActivate();
  }

  private void maybeActivate() {
    if (active || !control.connected() || ppp == null || !ppp.networkOpen()) {
      return;
    }
    sink = ctx.sinks().apply(lease.address());
    since = Instant.now();
    try {
      ctx.registry().register(this);
    } catch (IllegalStateException e) {
      end("address already in use: " + e.getMessage());
      return;
    }
    registered = true;
    AdmissionAttempt attempt = login.attempt();
    try {
      // registered first, then held to the rules in force now: a reload that tightened them
      // since the login (IPCP and Call Connected take round trips) is either seen here or sees
      // this session among the live ones it judges (Admission.endSessionsNoLongerAdmitted)
      attempt.requireLiveRules(identity);
    } catch (AuthenticationException e) {
      ctx.stats().admissionRefused.increment(); // reported by the attempt
      close("no longer admitted after a reload: " + e.reason().code());
      return;
    }
    active = true;
    attempt.admitted();
    ctx.stats().sessionsEstablished.increment();
    LOG.info(
        "SSTP session "
            + id
            + " of "
            + identity.name()
            + " from "
            + remote
            + " established: "
            + lease.address().getHostAddress()
            + ", "
            + cipher);
  }

  @Override
  public void ipv4FromClient(byte[] buf, int offset, int length) {
    if (!active) {
      ctx.stats().pppFramesDropped.increment();
      return;
    }
    bytesIn += length;
    ByteBuffer packet = received;
    if (packet == null) {
      packet = received = ByteBuffer.allocateDirect(SstpPacketHeader.MAX_LENGTH);
    }
    packet.clear();
    packet.put(buf, offset, length).flip();
    sink.write(packet);
  }

  @Override
  public void finished(String reason) {
    if (reason != null
        && (reason.startsWith("MS-CHAPv2 refused") || reason.startsWith("EAP refused"))) {
      ctx.stats().authFailures.increment();
    }
    if (control.connected() || control.state() == SstpControlStateMachine.State.CALL_CONNECTED_PENDING) {
      control.disconnect();
      closeDeadlineNanos = System.nanoTime() + DISCONNECT_GRACE_NANOS;
      endReason = reason;
      active = false;
      unregister();
    } else {
      end(reason);
    }
  }

  /**
   * Timers: negotiation deadline, hello (echo) and the grace after our disconnect. Skipped for
   * this second when the connection is busy on its own thread (the next tick catches up).
   */
  public void tick(long now) {
    if (!lock.tryLock()) {
      return;
    }
    try {
      tickLocked(now);
    } finally {
      lock.unlock();
    }
  }

  private void tickLocked(long now) {
    if (ended) {
      return;
    }
    if (closeDeadlineNanos != 0 && now - closeDeadlineNanos > 0) {
      end(endReason == null ? "disconnected" : endReason);
      return;
    }
    boolean negotiating = control == null || !control.connected() || !active;
    if (negotiating
        && closeDeadlineNanos == 0
        && now - openedNanos > ctx.negotiationTimeout().toNanos()) {
      ctx.stats().slowClients.increment();
      if (control != null) {
        control.abort(SstpStatus.NEGOTIATION_TIMEOUT, "negotiation timeout");
      }
      end("too slow: no Call Connected within " + ctx.negotiationTimeout());
      return;
    }
    if (control == null) {
      return;
    }
    if (ppp != null) {
      ppp.tick(now);
    }
    if (now - lastReceivedNanos > ctx.helloInterval().toNanos()) {
      if (echoOutstanding) {
        control.abort(SstpStatus.NEGOTIATION_TIMEOUT, "no answer to an Echo Request");
        end("the client stopped answering (hello timer)");
        return;
      }
      control.echoRequest();
      echoOutstanding = true;
      lastReceivedNanos = now;
    }
    if (link.isStuck(now)) {
      end("the client stopped reading");
    }
  }

  /** Ends the connection: what is queued (Call Abort, Disconnect) is written, then it closes. */
  private void end(String reason) {
    if (ended) {
      return;
    }
    ended = true;
    endReason = reason;
    active = false;
    if (link != null) {
      link.closeAfterFlush();
    } else {
      closeSocket();
    }
  }

  private void endIfNot(String reason) {
    lock.lock();
    try {
      end(reason);
    } finally {
      lock.unlock();
    }
  }

  private void unregister() {
    if (registered) {
      registered = false;
      ctx.registry().unregister(this);
    }
  }

  private void cleanup() {
    lock.lock();
    try {
      cleanupLocked();
    } finally {
      lock.unlock();
    }
    onEnd.accept(this);
  }

  private void cleanupLocked() {
    end(endReason == null ? "closed" : endReason);
    if (link != null) {
      link.close();
    }
    closeSocket();
    unregister();
    if (lease != null) {
      lease.release();
      lease = null;
    }
    AdmissionAttempt attempt = login.attempt();
    if (attempt != null && !attempt.isEnded()) {
      // authenticated but never connected: the admission hears why (and frees the slot)
      SstpCryptoBindingCheck.Failure binding = control == null ? null : control.bindingFailure();
      attempt.refuse(
          binding != null ? RefusalReason.CRYPTO_BINDING_FAILED : RefusalReason.CLIENT_DISCONNECTED,
          String.valueOf(endReason));
      slot = null;
    }
    if (slot != null) {
      slot.release();
      slot = null;
    }
    if (identity != null) {
      LOG.info(
          "SSTP session " + id + " of " + identity.name() + " from " + remote + " ended: "
              + endReason);
    } else {
      LOG.fine("SSTP connection from " + remote + " ended: " + endReason);
    }
  }

  private void closeSocket() {
    try {
      if (tls != null) {
        tls.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      raw.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 40 ? p.substring(0, 40) + "..." : p;
  }

  // ---- TunnelSession ----

  @Override
  public String id() {
    return id;
  }

  @Override
  public VpnProtocol protocol() {
    return VpnProtocol.SSTP;
  }

  @Override
  public ClientIdentity identity() {
    return identity;
  }

  @Override
  public Inet4Address innerAddress() {
    return lease == null ? null : lease.address();
  }

  @Override
  public InetSocketAddress outerAddress() {
    return remote;
  }

  @Override
  public Instant since() {
    return since;
  }

  @Override
  public String cipher() {
    return cipher;
  }

  @Override
  public long bytesIn() {
    return bytesIn;
  }

  @Override
  public long bytesOut() {
    return bytesOut;
  }

  public boolean isActive() {
    return active;
  }

  /** Why the connection ended, or null while it runs. */
  public String endReason() {
    return ended ? endReason : null;
  }

  @Override
  public void deliverFromTun(ByteBuffer ipPacket) {
    if (!active) {
      return;
    }
    int n = ipPacket.remaining();
    if (SstpPacketHeader.LENGTH + PppFrame.HEADER_LENGTH + n > SstpPacketHeader.MAX_LENGTH
        || n > ppp.peerMru()) {
      ctx.stats().sendQueueDropped.increment();
      return;
    }
    if (link.sendIpv4(ipPacket)) {
      bytesOut += n;
    }
  }

  /**
   * Ends the session from the gateway's side (revocation, {@code DELETE /sessions/{id}},
   * shutdown): LCP Terminate-Request and SSTP Call Disconnect, then the connection closes when
   * the client acknowledges or after a short grace.
   */
  @Override
  public void close(String reason) {
    lock.lock();
    try {
      closeLocked(reason);
    } finally {
      lock.unlock();
    }
  }

  private void closeLocked(String reason) {
    if (ended) {
      return;
    }
    LOG.info("ending SSTP session " + id + (identity == null ? "" : " of " + identity.name())
        + ": " + reason);
    if (ppp != null && !ppp.isDead()) {
      ppp.terminate(reason); // calls finished(): Call Disconnect and the grace deadline
    } else if (control != null && !control.finished()) {
      control.disconnect();
      closeDeadlineNanos = System.nanoTime() + DISCONNECT_GRACE_NANOS;
      endReason = reason;
    } else {
      end(reason);
    }
    active = false;
    unregister();
    if (closeDeadlineNanos == 0) {
      end(reason);
    }
  }

  /** {@link #close} without the grace: what is queued is written, then the socket closes. */
  public void shutdown(String reason) {
    lock.lock();
    try {
      closeLocked(reason);
      end(reason);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "SSTP session " + id + " from " + remote;
  }
}
