package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The Link Control Protocol (RFC 1661 sections 5 and 6): option negotiation through {@link
 * CpNegotiation} with {@link LcpOptions}, plus the codes only LCP has: Echo-Request is answered
 * with our Magic-Number (section 5.8), Discard-Request is dropped (5.9), a Protocol-Reject of a
 * protocol the session needs ends it (5.7), and {@link #protocolReject} answers frames of a
 * protocol we do not run (e.g. CCP: SSTP runs inside TLS, so compression/MPPE is refused; IPv6CP).
 *
 * <pre>
 *   REQ_SENT ─▶ ... ─▶ OPENED (UP: authentication starts) ─▶ FINISHED (Terminate, failure)
 *                          │ echo, discard, protocol-reject handled in place
 * </pre>
 */
final class LcpStateMachine {
  private final LcpOptions options;
  private final CpNegotiation negotiation;
  private final BiConsumer<Integer, byte[]> sender;

  /** @param sender sends one control packet: (protocol, packet octets) */
  LcpStateMachine(
      List<PppAuthMethod> allowed, int mru, SecureRandom random, BiConsumer<Integer, byte[]> sender) {
    this.options = new LcpOptions(allowed, mru, random);
    this.sender = sender;
    this.negotiation =
        new CpNegotiation("LCP", options, p -> sender.accept(PppProtocol.LCP, p.encode()));
  }

  void start() {
    negotiation.start();
  }

  CpNegotiation.Event timeout() {
    return negotiation.timeout();
  }

  boolean awaitingAnswer() {
    return negotiation.awaitingAnswer();
  }

  boolean isOpen() {
    return negotiation.isOpen();
  }

  boolean isFinished() {
    return negotiation.state() == CpNegotiation.State.FINISHED;
  }

  String finishReason() {
    return negotiation.finishReason();
  }

  PppAuthMethod auth() {
    return options.auth();
  }

  int peerMru() {
    return options.peerMru();
  }

  /** Handles one LCP packet (the information field of an LCP frame). */
  CpNegotiation.Event receive(byte[] buf, int offset, int length) throws MalformedPppException {
    CpPacket p = CpPacket.parse(buf, offset, length);
    switch (p.code()) {
      case CpPacket.ECHO_REQUEST -> {
        if (negotiation.isOpen()) {
          byte[] reply = p.data().clone();
          if (reply.length < 4) {
            throw new MalformedPppException("Echo-Request without a Magic-Number");
          }
          long magic = options.ourMagic();
          reply[0] = (byte) (magic >>> 24);
          reply[1] = (byte) (magic >>> 16);
          reply[2] = (byte) (magic >>> 8);
          reply[3] = (byte) magic;
          sender.accept(
              PppProtocol.LCP, new CpPacket(CpPacket.ECHO_REPLY, p.identifier(), reply).encode());
        }
        return CpNegotiation.Event.NONE;
      }
      case CpPacket.ECHO_REPLY, CpPacket.DISCARD_REQUEST -> {
        return CpNegotiation.Event.NONE;
      }
      case CpPacket.PROTOCOL_REJECT -> {
        if (p.data().length >= 2) {
          int protocol = ((p.data()[0] & 0xff) << 8) | (p.data()[1] & 0xff);
          if (protocol == PppProtocol.IPCP || protocol == PppProtocol.IPV4
              || protocol == options.auth().protocol()) {
            negotiation.terminate("the peer rejected " + PppProtocol.name(protocol));
            return CpNegotiation.Event.FINISHED;
          }
        }
        return CpNegotiation.Event.NONE;
      }
      default -> {
        return negotiation.receive(p);
      }
    }
  }

  /**
   * Rejects a frame of an unsupported protocol (RFC 1661 section 5.7): the rejected protocol and
   * as much of its information field as fits the peer's MRU.
   */
  void protocolReject(int protocol, byte[] buf, int offset, int length) {
    if (!negotiation.isOpen()) {
      return; // section 5.7: only in the Opened state
    }
    int n = Math.max(0, Math.min(length, options.peerMru() - 6));
    byte[] data = new byte[2 + n];
    data[0] = (byte) (protocol >>> 8);
    data[1] = (byte) protocol;
    System.arraycopy(buf, offset, data, 2, n);
    sender.accept(
        PppProtocol.LCP,
        new CpPacket(CpPacket.PROTOCOL_REJECT, negotiation.nextId(), data).encode());
  }

  /** Ends the link with Terminate-Request (revocation, disconnect, failed authentication). */
  void terminate(String reason) {
    negotiation.terminate(reason);
  }
}
