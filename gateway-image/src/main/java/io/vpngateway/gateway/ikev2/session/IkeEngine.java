package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.admission.Admission;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import io.vpngateway.gateway.ikev2.exception.UnsupportedCriticalPayloadException;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.IkePayloadCodec;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import io.vpngateway.gateway.ippool.AddressAllocator;
import io.vpngateway.gateway.session.InnerPacketSink;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The IKEv2 responder without sockets: it takes IKE datagrams, answers them and keeps every IKE SA
 * (RFC 7296), and opens ESP packets for the data plane. All IKE work runs on one control thread
 * ({@link ControlLoop}); exchanges are handled by one class each:
 *
 * <pre>
 *   datagram ─▶ decode ─▶ IKE_SA_INIT request ──▶ IkeSaInitResponder   (new half-open SA)
 *                     └─▶ SA by our SPI ─▶ request ─▶ window check ─▶ decrypt/reassemble ─▶
 *                                              IKE_AUTH        ─▶ IkeAuthResponder
 *                                              CREATE_CHILD_SA ─▶ CreateChildSaResponder
 *                                              INFORMATIONAL   ─▶ InformationalResponder
 *                                       └─▶ response ─▶ the pending request's handler
 *   tick ─▶ retransmissions, half-open expiry, DPD, rekeys (OwnExchanges)
 * </pre>
 */
public final class IkeEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(IkeEngine.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a deleted or replaced SA lingers for in-flight messages. */
  static final long LINGER_NANOS = 10_000_000_000L;
  /**
   * How long a deleted or rekeyed CHILD_SA keeps receiving ESP (strongSwan's delete_rekeyed_delay
   * is 5 s too): the peer's packets sent just before it switched are still in flight.
   */
  static final long INBOUND_GRACE_NANOS = 5_000_000_000L;

  final IkeTransport transport;
  final Admission admission;
  final AddressAllocator allocator;
  final SessionRegistry registry;
  final Function<Inet4Address, InnerPacketSink> sinks;
  final Ikev2Stats stats;
  final ChildSaTable childSas = new ChildSaTable();
  volatile Ikev2Policy policy;

  private final ControlLoop loop;
  private final Map<Long, IkeSa> byOurSpi = new HashMap<>();
  private final Map<Long, Deque<Runnable>> deferredRequests = new HashMap<>();
  final HalfOpenTable halfOpen;
  private final IkeSaInitResponder initResponder;
  private final IkeAuthResponder authResponder;
  private final CreateChildSaResponder childResponder;
  private final InformationalResponder infoResponder;
  final OwnExchanges own;

  public IkeEngine(
      Ikev2Policy policy,
      IkeTransport transport,
      Admission admission,
      AddressAllocator allocator,
      SessionRegistry registry,
      Function<Inet4Address, InnerPacketSink> sinks,
      Ikev2Stats stats,
      int queueCapacity) {
    this.policy = policy;
    this.transport = transport;
    this.admission = admission;
    this.allocator = allocator;
    this.registry = registry;
    this.sinks = sinks;
    this.stats = stats;
    this.halfOpen = new HalfOpenTable();
    this.loop =
        new ControlLoop(
            queueCapacity,
            stats.controlQueueDropped,
            new ControlLoop.Timers() {
              @Override
              public void tick() {
                IkeEngine.this.tick();
              }

              @Override
              public long nextDueNanos(long nowNanos) {
                return IkeEngine.this.nextDueNanos(nowNanos);
              }

              @Override
              public int size() {
                return byOurSpi.size();
              }
            });
    this.initResponder = new IkeSaInitResponder(this);
    this.authResponder = new IkeAuthResponder(this);
    this.childResponder = new CreateChildSaResponder(this);
    this.infoResponder = new InformationalResponder(this);
    this.own = new OwnExchanges(this);
  }

  public void start() {
    loop.start();
  }

  /** Installs a reloaded policy for the next exchanges. */
  public void updatePolicy(Ikev2Policy next) {
    policy = next;
    // shorter DPD or lifetimes: the control thread re-arms its sleep after this (empty) task
    loop.submitInternal(() -> {});
  }

  public Ikev2Policy policy() {
    return policy;
  }

  public Ikev2Stats stats() {
    return stats;
  }

  /** The CHILD_SAs by inbound SPI, for the ESP receive path. */
  public ChildSaTable childSas() {
    return childSas;
  }

  /**
   * Hands one IKE message (non-ESP marker removed) to the control thread. Called from receive
   * threads; {@code message} must not be reused by the caller.
   */
  public void submit(byte[] message, InetSocketAddress from, boolean natT) {
    loop.submitPacket(() -> handle(message, from, natT));
  }

  /**
   * Handles one IKE message (non-ESP marker removed) on the calling receive thread when the
   * engine is idle (nothing queued, no work running), under the engine lock; otherwise queues it
   * as {@link #submit} does. Inline, a handshake's datagram costs one thread wake-up instead of
   * two (the receive thread's, then the control thread's). {@code message} must not be reused.
   */
  public void receive(byte[] message, InetSocketAddress from, boolean natT) {
    Runnable work = () -> handle(message, from, natT);
    if (!loop.tryRunInline(work)) {
      loop.submitPacket(work);
    }
  }

  /** Nothing queued and no engine work running (tests). */
  boolean quiet() {
    return loop.quiet();
  }

  /** Runs {@code task} on the control thread after the datagrams queued so far (tests). */
  void afterQueuedDatagrams(Runnable task) {
    loop.submitPacket(task);
  }

  /**
   * Runs {@code task} under the engine lock, never dropped: at once when the caller already runs
   * engine work (on the control thread or inline on a receive thread), else queued for the control
   * thread.
   */
  void runOnControlThread(Runnable task) {
    if (loop.holdsEngine()) {
      task.run();
    } else {
      loop.submitInternal(task);
    }
  }

  /**
   * Opens one ESP packet (position at the SPI) on the calling receive thread and hands the inner
   * packet to its session's sink.
   *
   * @return false when the packet was dropped (unknown SPI, failed authentication, replay)
   */
  public boolean receiveEsp(ByteBuffer packet, ByteBuffer plain) {
    if (packet.remaining() < 8) {
      stats.malformed.increment();
      return false;
    }
    ChildSa child = childSas.get(packet.getInt(packet.position()));
    Ikev2Session session = child == null ? null : child.session;
    if (session == null) {
      stats.espUnknownSpi.increment();
      return false;
    }
    try {
      session.receiveEsp(child, packet, plain);
      if (child.retired) {
        child.packetsWhileRetired.increment();
        stats.espOnRetiredSa.increment();
      }
      return true;
    } catch (MessageIntegrityException e) {
      (e.isReplay() ? stats.espReplays : stats.espAuthFailures).increment();
      return false;
    }
  }

  // ------------------------------------------------------------------ dispatch (control thread)

  void handle(byte[] bytes, InetSocketAddress from, boolean natT) {
    ReceivedIkeMessage m;
    try {
      m = ReceivedIkeMessage.decode(bytes);
    } catch (UnsupportedCriticalPayloadException e) {
      stats.malformed.increment();
      answerUnprotectedIfInitRequest(bytes, from, natT, e);
      return;
    } catch (InvalidSyntaxException e) {
      stats.malformed.increment();
      LOG.log(System.Logger.Level.DEBUG, "dropping malformed IKE message from {0}: {1}", from,
          e.getMessage());
      return;
    }
    IkeHeader h = m.header();
    if (h.majorVersion() != 2) {
      stats.malformed.increment();
      if (!h.isResponse()) {
        // RFC 7296 §2.5: tell the sender the highest version we speak (the header says 2.0)
        sendUnprotected(
            IkeHeader.of(h.initiatorSpi(), h.responderSpi(), 0, h.exchangeType(), false, true,
                h.messageId()),
            List.of(NotifyPayload.of(NotifyType.INVALID_MAJOR_VERSION)), from, natT);
      }
      return;
    }
    if (h.exchangeType() == ExchangeType.IKE_SA_INIT) {
      if (!h.isResponse() && h.responderSpi() == 0 && h.fromOriginalInitiator()) {
        initResponder.handle(m, from, natT, System.nanoTime());
      } else {
        stats.unknownSpi.increment();
      }
      return;
    }
    long ourSpi = h.fromOriginalInitiator() ? h.responderSpi() : h.initiatorSpi();
    IkeSa sa = byOurSpi.get(ourSpi);
    if (sa == null
        || sa.state == IkeSa.State.DEAD
        || sa.spiI != h.initiatorSpi()
        || sa.spiR != h.responderSpi()
        || h.fromOriginalInitiator() == sa.weAreInitiator) {
      stats.unknownSpi.increment();
      return;
    }
    if (m.encrypted() == null) {
      stats.malformed.increment();
      return;
    }
    if (h.isResponse()) {
      handleResponse(sa, m, from, natT);
    } else {
      handleRequest(sa, m, from, natT);
    }
  }

  private void answerUnprotectedIfInitRequest(
      byte[] bytes, InetSocketAddress from, boolean natT, IkeProtocolException e) {
    try {
      IkeHeader h = IkeHeader.decode(ByteBuffer.wrap(bytes));
      if (h.exchangeType() == ExchangeType.IKE_SA_INIT && !h.isResponse()
          && h.responderSpi() == 0) {
        stats.errorsSent.increment();
        sendUnprotected(
            IkeHeader.of(h.initiatorSpi(), 0, 0, ExchangeType.IKE_SA_INIT, false, true,
                h.messageId()),
            List.of(NotifyPayload.of(e.notifyType(), e.notifyData())), from, natT);
      }
    } catch (InvalidSyntaxException ignored) {
      // not even a header: nothing to answer
    }
  }

  private void handleRequest(IkeSa sa, ReceivedIkeMessage m, InetSocketAddress from, boolean natT) {
    IkeHeader h = m.header();
    int mid = h.messageId();
    if (mid == sa.lastResponseId) {
      // a retransmitted request: resend the answer (once per retransmission, on its first
      // fragment when fragmented, RFC 7383 §2.6.1)
      if (m.encrypted().fragmentNumber() == 1) {
        stats.retransmitsAnswered.increment();
        for (byte[] d : sa.lastResponse) {
          transport.sendIke(d, sa.peer, sa.natT);
        }
      }
      return;
    }
    if (mid == sa.requestInProgress) {
      return; // retransmitted while its answer waits for authentication: it comes when ready
    }
    if (mid != sa.expectedRequestId) {
      stats.invalidMessageId.increment();
      return;
    }
    byte[] plain;
    int first;
    try {
      plain = sa.protector.open(m);
    } catch (MessageIntegrityException e) {
      stats.integrityFailures.increment();
      return;
    }
    if (m.encrypted().isFragment()) {
      if (sa.inboundRequestFragments == null || sa.inboundRequestFragments.messageId() != mid) {
        sa.inboundRequestFragments = new FragmentReassembly(mid);
      }
      try {
        if (!sa.inboundRequestFragments.add(m.encrypted(), plain)) {
          return;
        }
      } catch (IllegalArgumentException e) {
        sa.inboundRequestFragments = null;
        stats.malformed.increment();
        return;
      }
      first = sa.inboundRequestFragments.firstInnerPayload();
      plain = sa.inboundRequestFragments.assemble();
      sa.inboundRequestFragments = null;
    } else {
      first = m.encrypted().firstInnerPayload();
    }
    // authenticated: the peer is alive, and this is where it is (RFC 7296 §2.23: a NAT mapping
    // may change; follow the address of authenticated messages)
    long now = System.nanoTime();
    sa.lastInboundNanos = now;
    movePeer(sa, from, natT);
    IkeMessage request;
    try {
      request =
          new IkeMessage(h, IkePayloadCodec.decode(first, ByteBuffer.wrap(plain), false).payloads());
    } catch (IkeProtocolException e) {
      stats.malformed.increment();
      respondError(sa, h, e, false);
      return;
    }
    try {
      Reply reply =
          switch (h.exchangeType()) {
            case ExchangeType.IKE_AUTH -> authResponder.handle(sa, request, now);
            case ExchangeType.CREATE_CHILD_SA -> childResponder.handle(sa, request, now);
            case ExchangeType.INFORMATIONAL -> infoResponder.handle(sa, request, now);
            default -> throw new InvalidSyntaxException("unknown exchange type " + h.exchangeType());
          };
      deliver(sa, h, reply);
    } catch (IkeProtocolException e) {
      respondError(sa, h, e, h.exchangeType() == ExchangeType.IKE_AUTH);
    }
  }

  /** Sends an answer now, or once the stage it waits for completes (on the control thread). */
  private void deliver(IkeSa sa, IkeHeader h, Reply reply) {
    if (!reply.isDeferred()) {
      respond(sa, h, reply.payloads());
      reply.afterSend().run();
      return;
    }
    sa.requestInProgress = h.messageId();
    reply
        .pending()
        .whenComplete(
            (value, error) ->
                runOnControlThread(
                    () -> {
                      sa.requestInProgress = -1;
                      if (sa.state == IkeSa.State.DEAD) {
                        return;
                      }
                      try {
                        if (error != null) {
                          throw new IkeProtocolException(
                              NotifyType.AUTHENTICATION_FAILED,
                              "authentication failed: " + error);
                        }
                        deliver(sa, h, reply.then().apply(value));
                      } catch (IkeProtocolException e) {
                        respondError(sa, h, e, h.exchangeType() == ExchangeType.IKE_AUTH);
                      }
                    }));
  }

  private void movePeer(IkeSa sa, InetSocketAddress from, boolean natT) {
    if (!from.equals(sa.peer) || natT != sa.natT) {
      sa.peer = from;
      sa.natT = natT;
      if (sa.session != null) {
        sa.session.updatePeer(from);
      }
    }
  }

  private void respondError(IkeSa sa, IkeHeader h, IkeProtocolException e, boolean fatal) {
    stats.errorsSent.increment();
    LOG.log(System.Logger.Level.INFO, "{0}: {1} refused: {2} ({3})", sa,
        ExchangeType.name(h.exchangeType()), NotifyType.name(e.notifyType()), e.getMessage());
    respond(sa, h, List.of(NotifyPayload.of(e.notifyType(), e.notifyData())));
    if (fatal) {
      // RFC 7296 §2.21.2: an IKE_AUTH error ends the IKE SA without a further exchange
      forget(sa);
    }
  }

  private void handleResponse(IkeSa sa, ReceivedIkeMessage m, InetSocketAddress from,
      boolean natT) {
    IkeSa.PendingRequest p = sa.pending;
    IkeHeader h = m.header();
    if (p == null || h.messageId() != p.messageId) {
      stats.invalidMessageId.increment();
      return;
    }
    byte[] plain;
    int first;
    try {
      plain = sa.protector.open(m);
    } catch (MessageIntegrityException e) {
      stats.integrityFailures.increment();
      return;
    }
    if (m.encrypted().isFragment()) {
      if (sa.inboundResponseFragments == null
          || sa.inboundResponseFragments.messageId() != h.messageId()) {
        sa.inboundResponseFragments = new FragmentReassembly(h.messageId());
      }
      try {
        if (!sa.inboundResponseFragments.add(m.encrypted(), plain)) {
          return;
        }
      } catch (IllegalArgumentException e) {
        sa.inboundResponseFragments = null;
        stats.malformed.increment();
        return;
      }
      first = sa.inboundResponseFragments.firstInnerPayload();
      plain = sa.inboundResponseFragments.assemble();
      sa.inboundResponseFragments = null;
    } else {
      first = m.encrypted().firstInnerPayload();
    }
    sa.lastInboundNanos = System.nanoTime();
    movePeer(sa, from, natT);
    IkeMessage response;
    try {
      response =
          new IkeMessage(h, IkePayloadCodec.decode(first, ByteBuffer.wrap(plain), false).payloads());
    } catch (IkeProtocolException e) {
      // an answer we cannot read is as good as none: the timer decides
      stats.malformed.increment();
      return;
    }
    sa.pending = null;
    p.handler.onResponse(sa, response);
    runDeferred(sa);
  }

  // ------------------------------------------------------------------ sending

  /** Answers request {@code h} in {@code sa} and remembers the answer for retransmissions. */
  void respond(IkeSa sa, IkeHeader h, List<IkePayload> payloads) {
    IkeHeader header = sa.header(h.exchangeType(), true, h.messageId());
    List<byte[]> datagrams = protect(sa, header, payloads);
    sa.lastResponseId = h.messageId();
    sa.lastResponse = datagrams;
    sa.expectedRequestId = h.messageId() + 1;
    for (byte[] d : datagrams) {
      transport.sendIke(d, sa.peer, sa.natT);
    }
  }

  private List<byte[]> protect(IkeSa sa, IkeHeader header, List<IkePayload> payloads) {
    return sa.fragmentation
        ? sa.protector.protectFragmented(header, payloads, policy.fragmentSize())
        : List.of(sa.protector.protect(header, payloads));
  }

  /**
   * Sends a request of ours in {@code sa} (window size 1: when one is outstanding, this one waits
   * for its turn).
   */
  void request(IkeSa sa, int exchangeType, List<IkePayload> payloads,
      IkeSa.ResponseHandler handler) {
    if (sa.pending != null) {
      deferredRequests
          .computeIfAbsent(sa.ourSpi(), k -> new ArrayDeque<>())
          .add(() -> request(sa, exchangeType, payloads, handler));
      return;
    }
    long now = System.nanoTime();
    int mid = sa.nextRequestId++;
    List<byte[]> datagrams = protect(sa, sa.header(exchangeType, false, mid), payloads);
    long timeout = policy.dpdTimeout().toNanos();
    sa.pending =
        new IkeSa.PendingRequest(
            mid, exchangeType, datagrams, handler, now + firstRetransmit(timeout), now + timeout);
    for (byte[] d : datagrams) {
      transport.sendIke(d, sa.peer, sa.natT);
    }
  }

  private static long firstRetransmit(long timeoutNanos) {
    return Math.min(2_000_000_000L, Math.max(250_000_000L, timeoutNanos / 10));
  }

  private void runDeferred(IkeSa sa) {
    Deque<Runnable> q = deferredRequests.get(sa.ourSpi());
    if (q != null && sa.pending == null && sa.state != IkeSa.State.DEAD) {
      Runnable next = q.poll();
      if (q.isEmpty()) {
        deferredRequests.remove(sa.ourSpi());
      }
      if (next != null) {
        next.run();
      }
    }
  }

  void sendUnprotected(IkeHeader header, List<IkePayload> payloads, InetSocketAddress to,
      boolean natT) {
    transport.sendIke(new IkeMessage(header, payloads).encode(), to, natT);
  }

  // ------------------------------------------------------------------ SA bookkeeping

  /** A random SPI not used by any of our IKE SAs (never 0). */
  long newSpi() {
    while (true) {
      long spi = RANDOM.nextLong();
      if (spi != 0 && !byOurSpi.containsKey(spi)) {
        return spi;
      }
    }
  }

  void add(IkeSa sa) {
    byOurSpi.put(sa.ourSpi(), sa);
  }

  /** Forgets an SA at once: its children stop, its half-open slot is freed. */
  void forget(IkeSa sa) {
    sa.state = IkeSa.State.DEAD;
    if (sa.eap != null) {
      sa.eap.close();
      sa.eap = null;
    }
    byOurSpi.remove(sa.ourSpi());
    deferredRequests.remove(sa.ourSpi());
    halfOpen.remove(sa);
    for (ChildSa c : sa.children) {
      childSas.remove(c);
    }
    sa.children.clear();
    sa.pending = null;
  }

  int ikeSaCount() {
    return byOurSpi.size();
  }

  List<IkeSa> all() {
    return new ArrayList<>(byOurSpi.values());
  }

  // ------------------------------------------------------------------ sessions

  /** Ends a client's session from any thread: a Delete goes to the client, state goes at once. */
  void closeFromOutside(Ikev2Session session, String reason) {
    runOnControlThread(() -> terminate(session.ikeSa, reason, true));
  }

  /**
   * Ends {@code sa} and its session: the data plane stops at once; with {@code tellPeer} an
   * INFORMATIONAL Delete is sent (RFC 7296 §1.4.1) and the SA lingers until it is answered.
   */
  void terminate(IkeSa sa, String reason, boolean tellPeer) {
    if (sa == null || sa.state == IkeSa.State.DEAD) {
      return;
    }
    endSession(sa.session, reason);
    for (ChildSa c : sa.children) {
      childSas.remove(c);
    }
    if (tellPeer && sa.state == IkeSa.State.ESTABLISHED) {
      own.deleteIkeSa(sa);
    } else {
      forget(sa);
    }
  }

  /** Unregisters a session, releases its address and its connection slot; idempotent. */
  void endSession(Ikev2Session session, String reason) {
    if (session == null || !session.markClosed()) {
      return;
    }
    childSas.removeRetiredOf(session);
    registry.unregister(session);
    session.lease().release();
    session.releaseSlot();
    LOG.log(System.Logger.Level.INFO, session.id() + ": closed: " + reason);
  }

  // ------------------------------------------------------------------ timers

  private void tick() {
    tick(System.nanoTime());
  }

  /** The timers' run at {@code now} ({@link System#nanoTime} scale; tests pass their own time). */
  void tick(long now) {
    expireRetiredChildSas(now);
    halfOpen.expire(now, this);
    for (IkeSa sa : all()) {
      IkeSa.PendingRequest p = sa.pending;
      if (p != null) {
        if (now - p.deadlineNanos >= 0) {
          sa.pending = null;
          p.handler.onTimeout(sa);
          continue;
        }
        if (now - p.nextRetransmitNanos >= 0) {
          for (byte[] d : p.datagrams) {
            transport.sendIke(d, sa.peer, sa.natT);
          }
          p.transmissions++;
          long gap = (long) (firstRetransmit(p.deadlineNanos - now) * Math.pow(1.8, p.transmissions - 1));
          p.nextRetransmitNanos = now + Math.max(gap, 250_000_000L);
        }
      }
      if (sa.state == IkeSa.State.ESTABLISHED) {
        own.timers(sa, now);
      } else if (sa.state == IkeSa.State.REKEYED && now - sa.lastInboundNanos > LINGER_NANOS * 6) {
        forget(sa);
      }
    }
  }

  /**
   * When the earliest timer of {@link #tick} is due, or {@link ControlLoop#NEVER} when nothing is
   * timed (no IKE SA, established, half-open or lingering; no request of ours waiting; no retired
   * CHILD_SA in its grace). Mirrors {@link #tick} condition by condition (engine lock held).
   */
  long nextDueNanos(long now) {
    long due = ControlLoop.earliest(childSas.earliestRetiredEnd(), halfOpen.earliestDeadline());
    for (IkeSa sa : byOurSpi.values()) {
      IkeSa.PendingRequest p = sa.pending;
      if (p != null) {
        due = ControlLoop.earliest(due, p.deadlineNanos);
        due = ControlLoop.earliest(due, p.nextRetransmitNanos);
      }
      if (sa.state == IkeSa.State.ESTABLISHED) {
        due = ControlLoop.earliest(due, own.nextDueNanos(sa, now));
      } else if (sa.state == IkeSa.State.REKEYED) {
        due = ControlLoop.earliest(due, sa.lastInboundNanos + LINGER_NANOS * 6 + 1);
      }
    }
    return due;
  }

  /** Ends the inbound grace of retired CHILD_SAs due by {@code now} (control thread). */
  void expireRetiredChildSas(long now) {
    for (ChildSa gone : childSas.expireRetired(now)) {
      LOG.log(System.Logger.Level.INFO, "{0}: inbound grace over, {1} packets received on it",
          gone, gone.packetsWhileRetired.sum());
    }
  }

  /** Tells every client goodbye (best effort) and stops the control thread. */
  @Override
  public void close() {
    // the goodbye is the engine's last work: no datagram runs inline or is taken after it
    loop.close(
        () -> {
          for (IkeSa sa : all()) {
            terminate(sa, "gateway shutting down", true);
          }
        });
  }

  /** Remote address key of the half-open accounting. */
  static InetAddress sourceOf(IkeSa sa) {
    return sa.peer.getAddress();
  }
}
