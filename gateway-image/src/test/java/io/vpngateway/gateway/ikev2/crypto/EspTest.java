package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.ikev2.exception.MessageIntegrityException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ESP in tunnel mode (RFC 4303) with AES-GCM (RFC 4106) and AES-CBC + HMAC (RFC 3602/4868). */
class EspTest {
  static Stream<EspSuite> suites() {
    return Stream.of(
        new EspSuite(EncryptionAlgorithm.AES_GCM_16, 256, null, null),
        new EspSuite(EncryptionAlgorithm.AES_GCM_16, 128, null, null),
        new EspSuite(EncryptionAlgorithm.AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA2_256_128, null),
        new EspSuite(EncryptionAlgorithm.AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA1_96, null),
        new EspSuite(EncryptionAlgorithm.AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA2_256_128,
            null));
  }

  private static ChildSaKeys keys(EspSuite suite) {
    return ChildSaKeys.derive(suite, PrfAlgorithm.HMAC_SHA2_256, new byte[32], null,
        new byte[16], new byte[16]);
  }

  private static ByteBuffer ipPacket(int length, int seed) {
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put((byte) 0x45);
    for (int i = 1; i < length; i++) {
      b.put((byte) (i * 31 + seed));
    }
    return b.flip();
  }

  @ParameterizedTest
  @MethodSource("suites")
  void sealedPacketsOpenOnTheOtherSide(EspSuite suite) throws Exception {
    ChildSaKeys k = keys(suite);
    EspEncryptor out = new EspEncryptor(0x12345678, suite, k.encryptionInitiatorToResponder(),
        k.integrityInitiatorToResponder());
    EspDecryptor in = new EspDecryptor(0x12345678, suite, k.encryptionInitiatorToResponder(),
        k.integrityInitiatorToResponder());
    ByteBuffer wire = ByteBuffer.allocate(2048);
    ByteBuffer scratch = ByteBuffer.allocate(2048);
    ByteBuffer plain = ByteBuffer.allocate(2048);
    for (int len = 20; len <= 1400; len += 13) {
      ByteBuffer p = ipPacket(len, len);
      assertTrue(out.seal(p.duplicate(), wire, scratch));
      assertEquals(0x12345678, wire.getInt(0));
      int align = suite.encryption().isAead() ? 4 : 16;
      int ivLength = suite.encryption().ivLength();
      int icv = suite.integrity() == null ? 16 : suite.integrity().icvLength();
      assertEquals(0, (wire.remaining() - 8 - ivLength - icv) % align, "trailer alignment");
      in.open(wire, plain);
      assertEquals(p, plain);
    }
    assertEquals(in.highestSequence(), out.packetsSent());
  }

  @ParameterizedTest
  @MethodSource("suites")
  void replaysAndChangedOctetsAreRefused(EspSuite suite) throws Exception {
    ChildSaKeys k = keys(suite);
    EspEncryptor out = new EspEncryptor(7, suite, k.encryptionResponderToInitiator(),
        k.integrityResponderToInitiator());
    EspDecryptor in = new EspDecryptor(7, suite, k.encryptionResponderToInitiator(),
        k.integrityResponderToInitiator());
    ByteBuffer wire = ByteBuffer.allocate(2048);
    ByteBuffer plain = ByteBuffer.allocate(2048);
    out.seal(ipPacket(100, 1), wire, ByteBuffer.allocate(2048));
    byte[] packet = Arrays.copyOf(wire.array(), wire.remaining());
    for (int i = 4; i < packet.length; i++) {
      byte[] bad = packet.clone();
      bad[i] ^= 0x40;
      MessageIntegrityException e = assertThrows(MessageIntegrityException.class,
          () -> in.open(ByteBuffer.wrap(bad), plain), "octet " + i);
      assertFalse(e.isReplay(), "octet " + i + " is a failed check, not a replay");
    }
    in.open(ByteBuffer.wrap(packet.clone()), plain);
    MessageIntegrityException replay = assertThrows(MessageIntegrityException.class,
        () -> in.open(ByteBuffer.wrap(packet.clone()), plain), "replay");
    assertTrue(replay.isReplay());
  }

  @Test
  void replayWindowAcceptsReorderingWithinTheWindowOnly() {
    EspReplayWindow w = new EspReplayWindow();
    assertFalse(w.check(0), "sequence numbers start at 1");
    for (long s : new long[] {1, 2, 5, 4, 3}) {
      assertTrue(w.check(s));
      w.accept(s);
    }
    assertFalse(w.check(4));
    w.accept(2000);
    assertTrue(w.check(2000 - EspReplayWindow.SIZE + 1), "oldest one still in the window");
    assertFalse(w.check(2000 - EspReplayWindow.SIZE), "just out of the window");
    assertTrue(w.check(1999));
    w.accept(1999);
    assertFalse(w.check(1999));
    assertTrue(EspReplayWindow.SIZE >= 64);
    // a big jump clears the ring
    w.accept(1_000_000);
    assertTrue(w.check(999_999));
    assertFalse(w.check(1_000_000));
  }

  @Test
  void sequenceNumbersStopBeforeWrapping() throws Exception {
    EspSuite suite = new EspSuite(EncryptionAlgorithm.AES_GCM_16, 128, null, null);
    ChildSaKeys k = keys(suite);
    EspEncryptor out = new EspEncryptor(9, suite, k.encryptionInitiatorToResponder(), new byte[0]);
    var field = EspEncryptor.class.getDeclaredField("sequence");
    field.setAccessible(true);
    field.setLong(out, 0xfffffffeL);
    ByteBuffer wire = ByteBuffer.allocate(256);
    assertTrue(out.seal(ipPacket(40, 0), wire, ByteBuffer.allocate(256)));
    assertFalse(out.seal(ipPacket(40, 0), wire, ByteBuffer.allocate(256)), "2^32 - 1 was the last");
  }
}
