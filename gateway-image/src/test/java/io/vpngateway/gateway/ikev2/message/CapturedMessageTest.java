package io.vpngateway.gateway.ikev2.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.UnsupportedCriticalPayloadException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decoding real IKE_SA_INIT messages captured on the wire (tcpdump in the lab): the request of
 * strongSwan 5.9.8's charon with the swanctl profile's eight proposals, and the gateway's answer.
 * Then the codec's failure modes, byte by byte.
 */
class CapturedMessageTest {
  static final byte[] CHARON_INIT = Hex.resource("strongswan-ike-sa-init-request.hex");
  static final byte[] GATEWAY_INIT = Hex.resource("gateway-ike-sa-init-response.hex");

  @Test
  void charonsIkeSaInitRequest() throws Exception {
    ReceivedIkeMessage m = ReceivedIkeMessage.decode(CHARON_INIT);
    IkeHeader h = m.header();
    assertEquals(ExchangeType.IKE_SA_INIT, h.exchangeType());
    assertEquals(2, h.majorVersion());
    assertTrue(h.fromOriginalInitiator());
    assertFalse(h.isResponse());
    assertEquals(0, h.responderSpi());
    assertEquals(0, h.messageId());
    assertEquals(580, h.length());
    assertNull(m.encrypted());

    IkeMessage clear = m.clear();
    SaPayload sa = clear.first(SaPayload.class).orElseThrow();
    assertEquals(8, sa.proposals().size(), "the profile's eight IKE proposals");
    Proposal first = sa.proposals().get(0);
    assertEquals(1, first.number());
    assertEquals(Proposal.IKE, first.protocolId());
    assertEquals(
        List.of(
            new Transform(Transform.ENCR, Transform.ENCR_AES_GCM_16, 256),
            new Transform(Transform.PRF, Transform.PRF_HMAC_SHA2_384),
            new Transform(Transform.DH, 20)),
        first.transforms());
    // charon moves the proposals of its KE group (ECP-384) to the front
    Proposal cbc = sa.proposals().get(1);
    assertEquals(Transform.ENCR_AES_CBC, cbc.transformsOf(Transform.ENCR).get(0).id());
    assertEquals(
        Transform.AUTH_HMAC_SHA2_384_192, cbc.transformsOf(Transform.INTEG).get(0).id());

    KePayload ke = clear.first(KePayload.class).orElseThrow();
    assertEquals(20, ke.group());
    assertEquals(96, ke.data().length, "ECP-384 x | y");
    assertEquals(32, clear.first(NoncePayload.class).orElseThrow().nonce().length);
    assertEquals(20, clear.notify(NotifyType.NAT_DETECTION_SOURCE_IP).orElseThrow().data().length);
    assertTrue(clear.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).isPresent());
    assertTrue(clear.notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED).isPresent());
    assertArrayEquals(
        new byte[] {0, 2, 0, 3, 0, 4, 0, 5},
        clear.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS).orElseThrow().data(),
        "SHA2-256, SHA2-384, SHA2-512, Identity");
  }

  @Test
  void reEncodingGivesTheSameOctets() throws Exception {
    for (byte[] captured : List.of(CHARON_INIT, GATEWAY_INIT)) {
      IkeMessage clear = ReceivedIkeMessage.decode(captured).clear();
      assertArrayEquals(captured, clear.encode());
    }
  }

  @Test
  void gatewaysAnswerAsCharonReadIt() throws Exception {
    IkeMessage m = ReceivedIkeMessage.decode(GATEWAY_INIT).clear();
    assertTrue(m.header().isResponse());
    assertFalse(m.header().fromOriginalInitiator());
    SaPayload sa = m.first(SaPayload.class).orElseThrow();
    assertEquals(1, sa.proposals().size());
    assertEquals(1, sa.proposals().get(0).number(), "the number of the accepted proposal");
    assertEquals(1, m.all(CertRequestPayload.class).size());
    assertEquals(1, m.all(CertRequestPayload.class).get(0).keyHashes().size());
  }

  @Test
  void everyTruncationFailsAsInvalidSyntax() {
    for (int n = 0; n < CHARON_INIT.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(CHARON_INIT, n);
      assertThrows(InvalidSyntaxException.class, () -> ReceivedIkeMessage.decode(cut),
          "truncated to " + n);
    }
  }

  @Test
  void aPayloadLengthTooLongOrTooShortIsInvalidSyntax() {
    // the SA payload's length field sits at octets 30-31
    for (int delta : new int[] {-5, -1, 1, 400, 0xffff - 0x144}) {
      byte[] m = CHARON_INIT.clone();
      int length = ((m[30] & 0xff) << 8 | (m[31] & 0xff)) + delta;
      m[30] = (byte) (length >>> 8);
      m[31] = (byte) length;
      assertThrows(IkeProtocolException.class, () -> ReceivedIkeMessage.decode(m),
          "SA length off by " + delta);
    }
  }

  @Test
  void headerLengthMustMatchTheDatagram() {
    byte[] longer = java.util.Arrays.copyOf(CHARON_INIT, CHARON_INIT.length + 4);
    assertThrows(InvalidSyntaxException.class, () -> ReceivedIkeMessage.decode(longer));
  }

  @Test
  void unknownCriticalPayloadIsReportedWithItsType() throws Exception {
    IkeMessage clear = ReceivedIkeMessage.decode(CHARON_INIT).clear();
    List<IkePayload> payloads = new java.util.ArrayList<>(clear.payloads());
    payloads.add(new UnknownPayload(200, true, new byte[] {9}));
    byte[] m = new IkeMessage(clear.header(), payloads).encode();
    UnsupportedCriticalPayloadException e =
        assertThrows(UnsupportedCriticalPayloadException.class, () -> ReceivedIkeMessage.decode(m));
    assertEquals(200, e.payloadType());
    assertArrayEquals(new byte[] {(byte) 200}, e.notifyData());
    assertEquals(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, e.notifyType());
  }

  @Test
  void unknownNonCriticalPayloadIsSkipped() throws Exception {
    IkeMessage clear = ReceivedIkeMessage.decode(CHARON_INIT).clear();
    List<IkePayload> payloads = new java.util.ArrayList<>(clear.payloads());
    payloads.add(new UnknownPayload(201, false, new byte[] {1, 2, 3}));
    IkeMessage again =
        ReceivedIkeMessage.decode(new IkeMessage(clear.header(), payloads).encode()).clear();
    assertEquals(clear.payloads().size() + 1, again.payloads().size());
    assertEquals(201, again.payloads().get(again.payloads().size() - 1).type());
  }

  @Test
  void flippingAnyOctetNeverEscapesAsAnUncheckedException() {
    for (int i = 0; i < CHARON_INIT.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] m = CHARON_INIT.clone();
        m[i] ^= (byte) (1 << bit);
        try {
          ReceivedIkeMessage.decode(m);
        } catch (IkeProtocolException expected) {
          // a decode failure is always typed
        }
      }
    }
  }

  @Test
  void encryptedPayloadMustBeLast() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(28 + 4 + 4);
    new IkeHeader(1, 2, PayloadType.SK, 0x20, ExchangeType.IKE_AUTH, 0x08, 1, 36).encode(b);
    b.put((byte) PayloadType.NOTIFY).put((byte) 0).putShort((short) 4); // SK, empty body
    b.put((byte) 0).put((byte) 0).putShort((short) 4); // a payload after it
    assertThrows(InvalidSyntaxException.class, () -> ReceivedIkeMessage.decode(b.array()));
  }
}
