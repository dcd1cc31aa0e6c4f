package io.vpngateway.gateway.sstp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck;
import io.vpngateway.gateway.sstp.crypto.SstpHashProtocol;
import io.vpngateway.gateway.sstp.message.SstpAttribute;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpCryptoBinding;
import io.vpngateway.gateway.sstp.message.SstpCryptoBindingRequest;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import io.vpngateway.gateway.sstp.session.SstpControlStateMachine.Event;
import io.vpngateway.gateway.sstp.session.SstpControlStateMachine.State;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per transition of the server's SSTP control state machine (MS-SSTP 3.3.1). */
class SstpControlStateMachineTest {
  private final List<SstpControlMessage> sent = new ArrayList<>();
  private SstpCryptoBindingCheck check;
  private SstpControlStateMachine m;

  @BeforeEach
  void setUp() {
    check = new SstpCryptoBindingCheck(SstpTestPki.get().server.certificate());
    m = new SstpControlStateMachine(check, new SecureRandom(), sent::add);
  }

  private static byte[] connectRequest(int protocol) {
    return SstpControlMessage.of(
            SstpMessageType.CALL_CONNECT_REQUEST,
            new SstpAttribute(
                SstpAttribute.ENCAPSULATED_PROTOCOL_ID, new byte[] {0, (byte) protocol}))
        .encode();
  }

  private byte[] nonce() throws Exception {
    return SstpCryptoBindingRequest.decode(
            sent.get(0).attribute(SstpAttribute.CRYPTO_BINDING_REQ))
        .nonce();
  }

  private byte[] callConnected(byte[] hlak, byte[] nonce) {
    byte[] msg =
        SstpControlMessage.of(
                SstpMessageType.CALL_CONNECTED,
                SstpCryptoBinding.unsignedAttribute(
                    SstpHashProtocol.SHA256, nonce, check.certificateHash(SstpHashProtocol.SHA256)))
            .encode();
    byte[] mac = SstpCryptoBindingCheck.compoundMac(SstpHashProtocol.SHA256, hlak, msg);
    System.arraycopy(mac, 0, msg, SstpCryptoBinding.MAC_OFFSET_IN_CALL_CONNECTED, mac.length);
    return msg;
  }

  @Test
  void connectRequestForPppIsAckedWithA36OctetBindingRequest() throws Exception {
    assertEquals(Event.START_PPP, m.receive(connectRequest(1)));
    assertEquals(State.CALL_CONNECTED_PENDING, m.state());
    assertEquals(SstpMessageType.CALL_CONNECT_ACK, sent.get(0).type());
    SstpAttribute req = sent.get(0).attribute(SstpAttribute.CRYPTO_BINDING_REQ);
    assertEquals(36, req.value().length);
    assertEquals(0x03, req.value()[3], "SHA-1 and SHA-256 offered");
    assertTrue(m.pppAllowed());
  }

  @Test
  void anotherProtocolIsNakedThenAbortedAfterThreeTries() {
    for (int i = 0; i < 3; i++) {
      assertEquals(Event.NONE, m.receive(connectRequest(2)));
      assertEquals(SstpMessageType.CALL_CONNECT_NAK, sent.get(i).type());
    }
    assertEquals(Event.ABORTED, m.receive(connectRequest(2)));
    assertEquals(SstpMessageType.CALL_ABORT, sent.get(3).type());
  }

  @Test
  void callConnectedWithAValidBindingConnects() throws Exception {
    m.receive(connectRequest(1));
    byte[] hlak = new byte[32];
    hlak[3] = 7;
    m.innerAuthenticationCompleted(hlak);
    assertEquals(Event.CONNECTED, m.receive(callConnected(hlak, nonce())));
    assertTrue(m.connected());
  }

  @Test
  void callConnectedWithTheAlternateHlakConnects() throws Exception {
    m.receive(connectRequest(1));
    byte[] alternate = new byte[32];
    alternate[0] = 9;
    m.innerAuthenticationCompleted(new byte[32], alternate);
    assertEquals(Event.CONNECTED, m.receive(callConnected(alternate, nonce())));
  }

  @Test
  void callConnectedWithAWrongMacAborts() throws Exception {
    m.receive(connectRequest(1));
    m.innerAuthenticationCompleted(new byte[32]);
    byte[] other = new byte[32];
    other[0] = 1;
    assertEquals(Event.ABORTED, m.receive(callConnected(other, nonce())));
    assertEquals(SstpCryptoBindingCheck.Failure.COMPOUND_MAC_MISMATCH, m.bindingFailure());
    assertEquals(SstpMessageType.CALL_ABORT, sent.get(sent.size() - 1).type());
  }

  @Test
  void callConnectedBeforeAuthenticationAborts() throws Exception {
    m.receive(connectRequest(1));
    assertEquals(Event.ABORTED, m.receive(callConnected(new byte[32], nonce())));
  }

  @Test
  void callConnectedBeforeConnectRequestAborts() {
    assertEquals(Event.ABORTED, m.receive(callConnected(new byte[32], new byte[32])));
  }

  @Test
  void aSecondConnectRequestAborts() {
    m.receive(connectRequest(1));
    assertEquals(Event.ABORTED, m.receive(connectRequest(1)));
  }

  @Test
  void echoRequestIsAnswered() {
    m.receive(SstpControlMessage.of(SstpMessageType.ECHO_REQUEST).encode());
    assertEquals(SstpMessageType.ECHO_RESPONSE, sent.get(0).type());
  }

  @Test
  void clientDisconnectIsAcknowledged() {
    m.receive(connectRequest(1));
    assertEquals(
        Event.DISCONNECTED,
        m.receive(SstpControlMessage.of(SstpMessageType.CALL_DISCONNECT).encode()));
    assertEquals(SstpMessageType.CALL_DISCONNECT_ACK, sent.get(1).type());
    assertTrue(m.finished());
  }

  @Test
  void serverDisconnectEndsOnTheAck() {
    m.receive(connectRequest(1));
    m.disconnect();
    assertEquals(State.DISCONNECT_ACK_PENDING, m.state());
    assertEquals(
        Event.DISCONNECTED,
        m.receive(SstpControlMessage.of(SstpMessageType.CALL_DISCONNECT_ACK).encode()));
  }

  @Test
  void clientAbortEnds() {
    assertEquals(
        Event.ABORTED, m.receive(SstpControlMessage.of(SstpMessageType.CALL_ABORT).encode()));
    assertTrue(sent.isEmpty(), "no answer to an abort");
  }

  @Test
  void aServerMessageFromTheClientAborts() {
    assertEquals(
        Event.ABORTED,
        m.receive(SstpControlMessage.of(SstpMessageType.CALL_CONNECT_ACK).encode()));
  }

  @Test
  void garbageAbortsAndNothingAfterTheEndIsHandled() {
    assertEquals(Event.ABORTED, m.receive(new byte[] {0x10, 1, 0, 6, 0, 0x63}));
    int before = sent.size();
    assertEquals(Event.NONE, m.receive(connectRequest(1)));
    assertEquals(before, sent.size());
    assertFalse(m.pppAllowed());
  }
}
