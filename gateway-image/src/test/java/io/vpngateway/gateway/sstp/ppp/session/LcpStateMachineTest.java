package io.vpngateway.gateway.sstp.ppp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LCP's transitions (RFC 1661 section 4) with the server's option policy (section 6). */
class LcpStateMachineTest {
  private final List<CpPacket> sent = new ArrayList<>();

  private LcpStateMachine lcp(List<PppAuthMethod> methods) {
    return new LcpStateMachine(
        methods,
        1500,
        new SecureRandom(),
        (protocol, packet) -> {
          assertEquals(PppProtocol.LCP, protocol);
          try {
            sent.add(CpPacket.parse(packet, 0, packet.length));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  private static byte[] packet(int code, int id, List<CpOption> options) {
    return new CpPacket(code, id, CpOption.encodeAll(options)).encode();
  }

  private CpNegotiation.Event receive(LcpStateMachine l, byte[] p) throws Exception {
    return l.receive(p, 0, p.length);
  }

  private CpPacket last() {
    return sent.get(sent.size() - 1);
  }

  @Test
  void opensAfterBothRequestsAreAckedAndRejectsCompression() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    CpPacket ours = last();
    assertEquals(CpPacket.CONFIGURE_REQUEST, ours.code());
    List<CpOption> options = CpOption.decodeAll(ours.data());
    assertTrue(options.contains(new CpOption(3, new byte[] {(byte) 0xc2, 0x23, (byte) 0x81})));
    CpOption pfc = new CpOption(7, new byte[0]);
    CpOption magic = CpOption.ofNumber(5, 0x1234, 4);
    CpOption accm = CpOption.ofNumber(2, 0, 4);
    receive(l, packet(CpPacket.CONFIGURE_REQUEST, 1, List.of(accm, magic, pfc)));
    assertEquals(CpPacket.CONFIGURE_REJECT, last().code());
    assertEquals(List.of(pfc), CpOption.decodeAll(last().data()));
    assertEquals(CpNegotiation.Event.NONE,
        receive(l, packet(CpPacket.CONFIGURE_REQUEST, 2, List.of(accm, magic))));
    assertEquals(CpPacket.CONFIGURE_ACK, last().code());
    assertEquals(CpNegotiation.Event.UP,
        receive(l, new CpPacket(CpPacket.CONFIGURE_ACK, ours.identifier(), ours.data()).encode()));
    assertTrue(l.isOpen());
  }

  @Test
  void aNakOfTheAuthProtocolSwitchesToTheNextAllowedMethod() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2, PppAuthMethod.EAP));
    l.start();
    CpPacket ours = last();
    receive(l, packet(CpPacket.CONFIGURE_NAK, ours.identifier(),
        List.of(new CpOption(3, new byte[] {(byte) 0xc2, 0x27}))));
    assertEquals(PppAuthMethod.EAP, l.auth());
    assertTrue(CpOption.decodeAll(last().data())
        .contains(new CpOption(3, new byte[] {(byte) 0xc2, 0x27})));
  }

  @Test
  void aPeerThatRejectsAuthenticationEndsTheLink() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    CpPacket ours = last();
    assertEquals(CpNegotiation.Event.FINISHED,
        receive(l, packet(CpPacket.CONFIGURE_REJECT, ours.identifier(),
            List.of(new CpOption(3, new byte[] {(byte) 0xc2, 0x23, (byte) 0x81})))));
    assertTrue(l.isFinished());
  }

  @Test
  void echoIsAnsweredWithOurMagicOnceOpen() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    CpPacket ours = last();
    receive(l, packet(CpPacket.CONFIGURE_REQUEST, 1, List.of(CpOption.ofNumber(5, 77, 4))));
    receive(l, new CpPacket(CpPacket.CONFIGURE_ACK, ours.identifier(), ours.data()).encode());
    receive(l, new CpPacket(CpPacket.ECHO_REQUEST, 9, new byte[] {0, 0, 0, 77, 1, 2}).encode());
    CpPacket reply = last();
    assertEquals(CpPacket.ECHO_REPLY, reply.code());
    assertEquals(9, reply.identifier());
    long magic = CpOption.decodeAll(ours.data()).stream()
        .filter(o -> o.type() == 5).findFirst().orElseThrow().number();
    assertEquals(magic, new CpOption(5, java.util.Arrays.copyOf(reply.data(), 4)).number());
  }

  @Test
  void terminateRequestIsAckedAndEndsTheLink() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    assertEquals(CpNegotiation.Event.FINISHED,
        receive(l, new CpPacket(CpPacket.TERMINATE_REQUEST, 4, new byte[0]).encode()));
    assertEquals(CpPacket.TERMINATE_ACK, last().code());
    assertEquals(4, last().identifier());
  }

  @Test
  void anUnansweredRequestIsRepeatedThenTheLinkFails() {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    CpNegotiation.Event e = CpNegotiation.Event.NONE;
    int timeouts = 0;
    while (e == CpNegotiation.Event.NONE && timeouts < 50) {
      e = l.timeout();
      timeouts++;
    }
    assertEquals(CpNegotiation.Event.FINISHED, e);
    assertEquals(CpNegotiation.MAX_CONFIGURE, sent.size(), "Max-Configure requests, then give up");
  }

  @Test
  void aPeerThatNeverConvergesGetsRejectsAfterMaxFailure() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    byte[] bad = packet(CpPacket.CONFIGURE_REQUEST, 1, List.of(CpOption.ofNumber(1, 100, 2)));
    for (int i = 0; i < CpNegotiation.MAX_FAILURE; i++) {
      receive(l, bad);
      assertEquals(CpPacket.CONFIGURE_NAK, last().code());
    }
    receive(l, bad);
    assertEquals(CpPacket.CONFIGURE_REJECT, last().code());
  }

  @Test
  void unsupportedProtocolsAreProtocolRejectedOnceOpen() throws Exception {
    LcpStateMachine l = lcp(List.of(PppAuthMethod.MSCHAPV2));
    l.start();
    CpPacket ours = last();
    receive(l, packet(CpPacket.CONFIGURE_REQUEST, 1, List.of()));
    receive(l, new CpPacket(CpPacket.CONFIGURE_ACK, ours.identifier(), ours.data()).encode());
    l.protocolReject(PppProtocol.CCP, new byte[] {1, 1, 0, 4}, 0, 4);
    assertEquals(CpPacket.PROTOCOL_REJECT, last().code());
    assertEquals(0x80, last().data()[0] & 0xff);
    assertEquals(0xfd, last().data()[1] & 0xff);
  }
}
