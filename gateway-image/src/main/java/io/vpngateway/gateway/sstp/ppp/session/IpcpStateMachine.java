package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.net.Inet4Address;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The IP Control Protocol (RFC 1332): negotiates the client's address from the pool and its DNS
 * servers ({@link IpcpOptions}) with the RFC 1661 automaton. Started only in the network phase,
 * after authentication (RFC 1661 section 3.5); IPv4 frames flow only while it is open.
 *
 * <pre>
 *   (auth done) start ─▶ REQ_SENT ─▶ ... ─▶ OPENED (UP: IPv4 flows) ─▶ FINISHED (Terminate)
 * </pre>
 */
final class IpcpStateMachine {
  private final CpNegotiation negotiation;

  IpcpStateMachine(
      Inet4Address ourAddress,
      Inet4Address peerAddress,
      List<Inet4Address> dns,
      BiConsumer<Integer, byte[]> sender) {
    this.negotiation =
        new CpNegotiation(
            "IPCP",
            new IpcpOptions(ourAddress, peerAddress, dns),
            p -> sender.accept(PppProtocol.IPCP, p.encode()));
  }

  void start() {
    negotiation.start();
  }

  CpNegotiation.Event receive(byte[] buf, int offset, int length) throws MalformedPppException {
    return negotiation.receive(CpPacket.parse(buf, offset, length));
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

  String finishReason() {
    return negotiation.finishReason();
  }
}
