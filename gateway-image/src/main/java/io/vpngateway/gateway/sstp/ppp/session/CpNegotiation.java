package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import java.util.List;
import java.util.function.Consumer;

/**
 * The option negotiation automaton of RFC 1661 section 4, shared by LCP and IPCP, for a server
 * that opens actively once its lower layer is up (so the Initial/Starting/Stopped states of the
 * full table never occur: a failure or a Terminate ends the whole PPP session instead).
 *
 * <pre>
 *              scr                 RCA (irc)
 *   start ───────────▶ REQ_SENT ───────────────▶ ACK_RCVD
 *                        │   ▲                      │
 *           RCR+ (sca)   │   │ RCR- (scn)           │ RCR+ (sca, tlu)
 *                        ▼   │                      ▼
 *                      ACK_SENT ──── RCA (tlu) ──▶ OPENED ── RCR/RCA/RCN (tld, scr) ──▶ REQ_SENT
 *
 *   RTR in any state: sta, then FINISHED (tld if OPENED).  TO+ (restart timer): scr again;
 *   TO- (Max-Configure requests unanswered) or a policy refusal: FINISHED.
 * </pre>
 *
 * Counters: Max-Configure 10 requests, Max-Failure 5 Naks in a row before Naks turn into
 * Rejects (RFC 1661 section 4.6). Every method runs on the session's thread; nothing here is
 * thread-safe on its own.
 */
final class CpNegotiation {
  static final int MAX_CONFIGURE = 10;
  static final int MAX_FAILURE = 5;

  enum State {
    REQ_SENT,
    ACK_RCVD,
    ACK_SENT,
    OPENED,
    FINISHED
  }

  /** What a call did to the layer above. */
  enum Event {
    NONE,
    /** This-Layer-Up: negotiation finished, the protocol is open. */
    UP,
    /** This-Layer-Down: an open protocol renegotiates (data must stop until UP again). */
    DOWN,
    /** This-Layer-Finished: the peer terminated or negotiation failed; the session ends. */
    FINISHED
  }

  private final String name;
  private final CpOptionPolicy policy;
  private final Consumer<CpPacket> out;
  private State state = State.REQ_SENT;
  private int nextId = 1;
  private int requestId = -1;
  private int restartCount;
  private int nakCount;
  private String finishReason;

  CpNegotiation(String name, CpOptionPolicy policy, Consumer<CpPacket> out) {
    this.name = name;
    this.policy = policy;
    this.out = out;
  }

  State state() {
    return state;
  }

  boolean isOpen() {
    return state == State.OPENED;
  }

  /** Why the protocol finished, for the log; null while it has not. */
  String finishReason() {
    return finishReason;
  }

  /** Open event: sends the first Configure-Request. */
  void start() {
    restartCount = MAX_CONFIGURE;
    sendConfigureRequest();
  }

  /** The restart timer fired; returns FINISHED once Max-Configure is exhausted. */
  Event timeout() {
    switch (state) {
      case REQ_SENT, ACK_SENT, ACK_RCVD -> {
        if (restartCount <= 0) {
          return finish(name + ": no answer to " + MAX_CONFIGURE + " Configure-Requests");
        }
        if (state == State.ACK_RCVD) {
          state = State.REQ_SENT;
        }
        sendConfigureRequest();
        return Event.NONE;
      }
      default -> {
        return Event.NONE;
      }
    }
  }

  /** Whether the restart timer should run (a request of ours is unanswered). */
  boolean awaitingAnswer() {
    return state == State.REQ_SENT || state == State.ACK_SENT || state == State.ACK_RCVD;
  }

  /** Handles a Configure-*, Terminate-* or Code-Reject packet; other codes are the caller's. */
  Event receive(CpPacket p) throws MalformedPppException {
    if (state == State.FINISHED) {
      return Event.NONE;
    }
    switch (p.code()) {
      case CpPacket.CONFIGURE_REQUEST:
        return receiveConfigureRequest(p);
      case CpPacket.CONFIGURE_ACK:
        return receiveConfigureAck(p);
      case CpPacket.CONFIGURE_NAK:
      case CpPacket.CONFIGURE_REJECT:
        return receiveNakOrReject(p);
      case CpPacket.TERMINATE_REQUEST:
        out.accept(new CpPacket(CpPacket.TERMINATE_ACK, p.identifier(), new byte[0]));
        return finish(name + ": the peer sent Terminate-Request");
      case CpPacket.TERMINATE_ACK:
        return Event.NONE;
      case CpPacket.CODE_REJECT:
        // RXJ-: the peer cannot handle one of the codes the automaton needs
        int rejected = p.data().length > 0 ? p.data()[0] & 0xff : -1;
        if (rejected >= CpPacket.CONFIGURE_REQUEST && rejected <= CpPacket.TERMINATE_ACK) {
          return finish(name + ": the peer rejected code " + rejected);
        }
        return Event.NONE;
      default:
        out.accept(new CpPacket(CpPacket.CODE_REJECT, nextId(), p.encode()));
        return Event.NONE;
    }
  }

  /** Sends Terminate-Request (close event from above); the session ends without waiting. */
  void terminate(String reason) {
    if (state != State.FINISHED) {
      out.accept(new CpPacket(CpPacket.TERMINATE_REQUEST, nextId(), new byte[0]));
      state = State.FINISHED;
      finishReason = reason;
    }
  }

  private Event receiveConfigureRequest(CpPacket p) throws MalformedPppException {
    List<CpOption> options = CpOption.decodeAll(p.data());
    CpOptionPolicy.Verdict verdict = policy.judge(options);
    int code = verdict.code();
    if (code == CpPacket.CONFIGURE_NAK && ++nakCount > MAX_FAILURE) {
      // RFC 1661 section 4.6 Max-Failure: a peer that does not converge gets Rejects instead
      code = CpPacket.CONFIGURE_REJECT;
    }
    boolean good = code == CpPacket.CONFIGURE_ACK;
    Event event = Event.NONE;
    if (state == State.OPENED) {
      event = Event.DOWN;
      sendConfigureRequest();
      state = State.REQ_SENT;
    }
    if (good) {
      nakCount = 0;
      out.accept(new CpPacket(CpPacket.CONFIGURE_ACK, p.identifier(), p.data()));
      policy.onPeerRequestAcked(options);
      if (state == State.ACK_RCVD) {
        state = State.OPENED;
        return Event.UP;
      }
      state = State.ACK_SENT;
    } else {
      out.accept(
          new CpPacket(code, p.identifier(), CpOption.encodeAll(verdict.options())));
      if (state == State.ACK_SENT) {
        state = State.REQ_SENT;
      }
    }
    return event;
  }

  private Event receiveConfigureAck(CpPacket p) throws MalformedPppException {
    if (p.identifier() != requestId) {
      return Event.NONE; // a late Ack of an older request (RFC 1661 section 5.2: discard)
    }
    List<CpOption> acked = CpOption.decodeAll(p.data());
    if (!acked.equals(policy.ourRequest())) {
      return Event.NONE; // not an exact copy of our request: invalid, silently discarded
    }
    switch (state) {
      case REQ_SENT -> {
        restartCount = MAX_CONFIGURE;
        policy.onOurRequestAcked(acked);
        state = State.ACK_RCVD;
        return Event.NONE;
      }
      case ACK_SENT -> {
        restartCount = MAX_CONFIGURE;
        policy.onOurRequestAcked(acked);
        state = State.OPENED;
        return Event.UP;
      }
      case ACK_RCVD -> {
        sendConfigureRequest(); // crossed connection
        state = State.REQ_SENT;
        return Event.NONE;
      }
      case OPENED -> {
        sendConfigureRequest();
        state = State.REQ_SENT;
        return Event.DOWN;
      }
      default -> {
        return Event.NONE;
      }
    }
  }

  private Event receiveNakOrReject(CpPacket p) throws MalformedPppException {
    if (p.identifier() != requestId) {
      return Event.NONE;
    }
    List<CpOption> options = CpOption.decodeAll(p.data());
    boolean goOn =
        p.code() == CpPacket.CONFIGURE_NAK ? policy.onNak(options) : policy.onReject(options);
    if (!goOn) {
      return finish(
          name
              + ": the peer "
              + (p.code() == CpPacket.CONFIGURE_NAK ? "Nak'ed" : "rejected")
              + " options we require");
    }
    Event event = state == State.OPENED ? Event.DOWN : Event.NONE;
    restartCount = MAX_CONFIGURE;
    sendConfigureRequest();
    if (state != State.ACK_SENT) {
      state = State.REQ_SENT;
    }
    return event;
  }

  private void sendConfigureRequest() {
    restartCount--;
    requestId = nextId();
    out.accept(
        new CpPacket(
            CpPacket.CONFIGURE_REQUEST, requestId, CpOption.encodeAll(policy.ourRequest())));
  }

  private Event finish(String reason) {
    state = State.FINISHED;
    finishReason = reason;
    return Event.FINISHED;
  }

  int nextId() {
    int id = nextId;
    nextId = (nextId + 1) & 0xff;
    return id;
  }
}
