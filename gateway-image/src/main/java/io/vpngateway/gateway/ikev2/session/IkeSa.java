package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.IkeMessageProtector;
import io.vpngateway.gateway.ikev2.crypto.IkeSaKeys;
import io.vpngateway.gateway.ikev2.crypto.IkeSuite;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The state of one IKE SA (RFC 7296 §2), owned by the control thread.
 *
 * <pre>
 *            IKE_SA_INIT answered                 IKE_AUTH answered
 *   (none) ─────────────────────▶ HALF_OPEN ─────────────────────────▶ ESTABLISHED
 *                                   │  timeout / bad AUTH                 │   │
 *                                   ▼                                     │   │ IKE rekey done
 *                                 DEAD ◀─ DELETING ◀─ we delete ─────────┤   ▼
 *                                   ▲ ◀──── client deletes / DPD dead ────┘ REKEYED
 *                                   └──────── old SA deleted ─────────────────┘
 * </pre>
 *
 * Message IDs (§2.2): as responder we keep the ID we expect next and the last answer, to resend it
 * when a request is retransmitted; as requester we have at most one request outstanding (window
 * size 1), retransmitted by {@link IkeEngine}'s timer until answered or timed out.
 */
final class IkeSa {
  enum State {
    HALF_OPEN,
    ESTABLISHED,
    REKEYED,
    DELETING,
    DEAD
  }

  /** An answer handler for a request we sent. */
  interface ResponseHandler {
    void onResponse(IkeSa sa, IkeMessage response);

    /** No answer came in time; the IKE SA is considered dead by the caller. */
    void onTimeout(IkeSa sa);
  }

  /** A request of ours waiting for its answer. */
  static final class PendingRequest {
    final int messageId;
    final int exchangeType;
    final List<byte[]> datagrams;
    final ResponseHandler handler;
    int transmissions;
    long nextRetransmitNanos;
    final long deadlineNanos;

    PendingRequest(
        int messageId,
        int exchangeType,
        List<byte[]> datagrams,
        ResponseHandler handler,
        long firstRetransmitNanos,
        long deadlineNanos) {
      this.messageId = messageId;
      this.exchangeType = exchangeType;
      this.datagrams = List.copyOf(datagrams);
      this.handler = handler;
      this.transmissions = 1;
      this.nextRetransmitNanos = firstRetransmitNanos;
      this.deadlineNanos = deadlineNanos;
    }
  }

  final long spiI;
  final long spiR;
  /** Whether we are the original initiator (only for an SA we created by rekeying, §2.18). */
  final boolean weAreInitiator;
  final IkeSuite suite;
  final IkeSaKeys keys;
  final IkeMessageProtector protector;
  final long createdNanos;
  State state;
  InetSocketAddress peer;
  boolean natT;
  boolean fragmentation;
  Set<Integer> peerSignatureHashes = Set.of();

  /** The IKE_SA_INIT messages and nonces, kept until IKE_AUTH is done (AUTH signs them). */
  byte[] initRequest;
  byte[] initResponse;
  byte[] ni;
  byte[] nr;
  long halfOpenDeadlineNanos;

  // responder window
  int expectedRequestId;
  /** A request whose answer waits for an authentication backend (-1: none). */
  int requestInProgress = -1;
  int lastResponseId = -1;
  List<byte[]> lastResponse = List.of();
  FragmentReassembly inboundRequestFragments;

  // requester window
  int nextRequestId;
  PendingRequest pending;
  FragmentReassembly inboundResponseFragments;

  Ikev2Session session;
  /** The EAP conversation between the IKE_AUTH rounds (§2.16), null otherwise. */
  EapRounds.EapState eap;
  final List<ChildSa> children = new ArrayList<>();
  long lastInboundNanos;
  long rekeyAtNanos = Long.MAX_VALUE;
  /** Set while one of our CREATE_CHILD_SA requests rekeys this SA or one of its children. */
  boolean rekeyInProgress;
  /** The SA that replaced this one, once rekeyed. */
  IkeSa successor;

  IkeSa(
      long spiI,
      long spiR,
      boolean weAreInitiator,
      IkeSuite suite,
      IkeSaKeys keys,
      InetSocketAddress peer,
      boolean natT,
      long nowNanos) {
    this.spiI = spiI;
    this.spiR = spiR;
    this.weAreInitiator = weAreInitiator;
    this.suite = suite;
    this.keys = keys;
    this.protector = IkeMessageProtector.create(suite, keys, weAreInitiator);
    this.peer = peer;
    this.natT = natT;
    this.createdNanos = nowNanos;
    this.lastInboundNanos = nowNanos;
  }

  /** The SPI that identifies this SA in messages to us. */
  long ourSpi() {
    return weAreInitiator ? spiI : spiR;
  }

  /** A header for a message of ours in this SA. */
  IkeHeader header(int exchangeType, boolean response, int messageId) {
    return IkeHeader.of(spiI, spiR, 0, exchangeType, weAreInitiator, response, messageId);
  }

  /** Forgets what is only needed until authentication. */
  void dropInitMessages() {
    initRequest = null;
    initResponse = null;
  }

  @Override
  public String toString() {
    return String.format("IKE_SA %016x_i %016x_r", spiI, spiR);
  }
}
