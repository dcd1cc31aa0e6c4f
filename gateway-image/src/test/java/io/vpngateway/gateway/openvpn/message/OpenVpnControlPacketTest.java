package io.vpngateway.gateway.openvpn.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OpenVpnControlPacketTest {
  private static final HexFormat HEX = HexFormat.of();

  /** P_CONTROL_HARD_RESET_CLIENT_V2, key id 0, session id 0102030405060708, no acks, mid 0. */
  private static final String CLIENT_RESET = "38" + "0102030405060708" + "00" + "00000000";

  /** P_CONTROL_V1 key id 1 acking ids 0 and 1 of session a1..a8, mid 2, payload 16 03 03. */
  private static final String CONTROL_WITH_ACKS = "21" + "1112131415161718" + "02"
      + "00000000" + "00000001" + "a1a2a3a4a5a6a7a8" + "00000002" + "160303";

  @Test
  void decodesClientHardReset() throws Exception {
    OpenVpnControlPacket p = OpenVpnControlPacket.decodePlain(
        ByteBuffer.wrap(HEX.parseHex(CLIENT_RESET)));
    assertEquals(OpenVpnOpcode.P_CONTROL_HARD_RESET_CLIENT_V2, p.opcode());
    assertEquals(0, p.keyId());
    assertEquals(0x0102030405060708L, p.sessionId());
    assertEquals(0, p.acks().length);
    assertEquals(0, p.messageId());
    assertEquals(0, p.payloadLength());
    assertEquals(CLIENT_RESET, HEX.formatHex(p.encodePlain()));
  }

  @Test
  void decodesControlWithAcksAndEncodesIdentically() throws Exception {
    OpenVpnControlPacket p = OpenVpnControlPacket.decodePlain(
        ByteBuffer.wrap(HEX.parseHex(CONTROL_WITH_ACKS)));
    assertEquals(OpenVpnOpcode.P_CONTROL_V1, p.opcode());
    assertEquals(1, p.keyId());
    assertArrayEquals(new long[] {0, 1}, p.acks());
    assertEquals(0xa1a2a3a4a5a6a7a8L, p.remoteSessionId());
    assertEquals(2, p.messageId());
    assertArrayEquals(HEX.parseHex("160303"), p.payload());
    assertEquals(CONTROL_WITH_ACKS, HEX.formatHex(p.encodePlain()));
  }

  @Test
  void ackPacketHasNoMessageId() throws Exception {
    OpenVpnControlPacket ack = OpenVpnControlPacket.ack(0, 5L, new long[] {7}, 9L);
    assertEquals("28" + "0000000000000005" + "01" + "00000007" + "0000000000000009",
        HEX.formatHex(ack.encodePlain()));
    assertEquals(ack, OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(ack.encodePlain())));
  }

  @Test
  void everyTruncationIsRejectedCleanly() {
    byte[] full = HEX.parseHex(CONTROL_WITH_ACKS);
    // cutting inside the header, ack list, remote session id or message id must fail
    for (int len = 0; len < full.length - 3; len++) {
      byte[] cut = java.util.Arrays.copyOf(full, len);
      assertThrows(MalformedPacketException.class,
          () -> OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(cut)), "length " + len);
    }
  }

  @Test
  void everySingleByteCorruptionEitherParsesOrFailsWithTypedException() {
    byte[] full = HEX.parseHex(CONTROL_WITH_ACKS);
    for (int i = 0; i < full.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = full.clone();
        bad[i] ^= (byte) (1 << bit);
        try {
          OpenVpnControlPacket.decodePlain(ByteBuffer.wrap(bad));
        } catch (MalformedPacketException expected) {
          // dropped and counted by the server
        }
      }
    }
  }

  @Test
  void rejectsDataOpcodesTooManyAcksAndEmptyAck() {
    assertThrows(MalformedPacketException.class, () -> OpenVpnControlPacket.decodePlain(
        ByteBuffer.wrap(HEX.parseHex("48" + "0102030405060708" + "00000000"))));
    assertThrows(MalformedPacketException.class, () -> OpenVpnControlPacket.decodePlain(
        ByteBuffer.wrap(HEX.parseHex("20" + "0102030405060708" + "09" + "00".repeat(60)))));
    assertThrows(MalformedPacketException.class, () -> OpenVpnControlPacket.decodePlain(
        ByteBuffer.wrap(HEX.parseHex("28" + "0102030405060708" + "00"))));
  }
}
