package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.IkePayloadCodec;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.PayloadType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import io.vpngateway.gateway.ikev2.message.VendorIdPayload;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SK payload (RFC 7296 §3.14, RFC 5282 for GCM) and SKF fragments (RFC 7383): what one side
 * protects the other opens; a changed octet anywhere (header, IV, ciphertext, ICV) fails closed.
 */
class IkeMessageProtectorTest {
  static Stream<IkeSuite> suites() {
    return Stream.of(
        new IkeSuite(EncryptionAlgorithm.AES_GCM_16, 256, PrfAlgorithm.HMAC_SHA2_384, null,
            DhGroup.ECP_384),
        new IkeSuite(EncryptionAlgorithm.AES_GCM_16, 128, PrfAlgorithm.HMAC_SHA2_256, null,
            DhGroup.ECP_256),
        new IkeSuite(EncryptionAlgorithm.AES_CBC, 256, PrfAlgorithm.HMAC_SHA2_256,
            IntegrityAlgorithm.HMAC_SHA2_256_128, DhGroup.MODP_2048),
        new IkeSuite(EncryptionAlgorithm.AES_CBC, 256, PrfAlgorithm.HMAC_SHA2_384,
            IntegrityAlgorithm.HMAC_SHA2_384_192, DhGroup.ECP_384),
        new IkeSuite(EncryptionAlgorithm.AES_CBC, 128, PrfAlgorithm.HMAC_SHA1,
            IntegrityAlgorithm.HMAC_SHA1_96, DhGroup.MODP_1024));
  }

  private static IkeSaKeys keys(IkeSuite suite) {
    byte[] seed = new byte[48];
    seed[0] = 7;
    return IkeSaKeys.derive(suite, seed, new byte[32], new byte[32], 0x1111, 0x2222);
  }

  private static final IkeHeader HEADER =
      IkeHeader.of(0x1111, 0x2222, 0, ExchangeType.IKE_AUTH, true, false, 1);

  private static List<IkePayload> payloads(int size) {
    List<IkePayload> p = new ArrayList<>();
    p.add(NotifyPayload.of(16384));
    p.add(new VendorIdPayload(new byte[size]));
    return p;
  }

  @ParameterizedTest
  @MethodSource("suites")
  void initiatorToResponderRoundTrip(IkeSuite suite) throws Exception {
    IkeMessageProtector initiator = IkeMessageProtector.create(suite, keys(suite), true);
    IkeMessageProtector responder = IkeMessageProtector.create(suite, keys(suite), false);
    for (int size : new int[] {0, 1, 15, 16, 17, 500}) {
      byte[] wire = initiator.protect(HEADER, payloads(size));
      ReceivedIkeMessage m = ReceivedIkeMessage.decode(wire);
      assertEquals(PayloadType.NOTIFY, m.encrypted().firstInnerPayload());
      byte[] plain = responder.open(m);
      assertArrayEquals(IkePayloadCodec.encode(payloads(size)), plain);
      // the direction matters: a side cannot open its own messages
      assertThrows(MessageIntegrityException.class, () -> initiator.open(m));
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void anyChangedOctetFailsIntegrity(IkeSuite suite) throws Exception {
    IkeMessageProtector initiator = IkeMessageProtector.create(suite, keys(suite), true);
    IkeMessageProtector responder = IkeMessageProtector.create(suite, keys(suite), false);
    byte[] wire = initiator.protect(HEADER, payloads(40));
    for (int i = 0; i < wire.length; i++) {
      if (i >= 24 && i < 28) {
        continue; // the length field: decoding fails first
      }
      byte[] m = wire.clone();
      m[i] ^= 0x01;
      ReceivedIkeMessage decoded;
      try {
        decoded = ReceivedIkeMessage.decode(m);
      } catch (Exception e) {
        continue; // header fields the codec already refuses
      }
      if (decoded.encrypted() == null) {
        continue;
      }
      assertThrows(MessageIntegrityException.class, () -> responder.open(decoded), "octet " + i);
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void fragmentsReassembleToTheMessage(IkeSuite suite) throws Exception {
    IkeMessageProtector initiator = IkeMessageProtector.create(suite, keys(suite), true);
    IkeMessageProtector responder = IkeMessageProtector.create(suite, keys(suite), false);
    List<byte[]> fragments = initiator.protectFragmented(HEADER, payloads(3000), 576);
    assertTrue(fragments.size() >= 6, "3 KB in 576-octet fragments: " + fragments.size());
    ByteBuffer all = ByteBuffer.allocate(4000);
    for (int i = 0; i < fragments.size(); i++) {
      byte[] f = fragments.get(i);
      assertTrue(f.length <= 576, "fragment " + (i + 1) + " has " + f.length + " octets");
      ReceivedIkeMessage m = ReceivedIkeMessage.decode(f);
      assertEquals(PayloadType.SKF, m.header().nextPayload());
      assertEquals(i + 1, m.encrypted().fragmentNumber());
      assertEquals(fragments.size(), m.encrypted().totalFragments());
      assertEquals(i == 0 ? PayloadType.NOTIFY : 0, m.encrypted().firstInnerPayload());
      all.put(responder.open(m));
    }
    all.flip();
    byte[] joined = new byte[all.remaining()];
    all.get(joined);
    assertArrayEquals(IkePayloadCodec.encode(payloads(3000)), joined);
    // small messages are not fragmented
    assertEquals(1, initiator.protectFragmented(HEADER, payloads(10), 576).size());
    assertEquals(PayloadType.SK,
        ReceivedIkeMessage.decode(initiator.protectFragmented(HEADER, payloads(10), 576).get(0))
            .header().nextPayload());
  }
}
