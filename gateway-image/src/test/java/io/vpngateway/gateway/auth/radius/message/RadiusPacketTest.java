package io.vpngateway.gateway.auth.radius.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RadiusPacketTest {
  /** RFC 2865 section 7.1: the Access-Accept of the PAP example (nemo, secret "xyzzy5461"). */
  private static final byte[] RFC_ACCEPT = HexFormat.of().parseHex(
      "0200002686fe220e7624ba2a1005f6bf9b55e0b2"
          + "0606000000010f06000000000e06c0a80103");

  @Test
  void decodesTheRfcAcceptAndEncodesItBackByteForByte() throws Exception {
    RadiusPacket p = RadiusPacket.decode(RFC_ACCEPT, RFC_ACCEPT.length);
    assertEquals(RadiusCode.ACCESS_ACCEPT, p.code());
    assertEquals(0, p.identifier());
    assertEquals(3, p.attributes().size());
    assertEquals(1L, p.first(RadiusAttributeType.SERVICE_TYPE).orElseThrow().asInteger()
        .orElseThrow());
    assertArrayEquals(RFC_ACCEPT, p.encode());
  }

  @Test
  void octetsPastTheLengthFieldAreIgnored() throws Exception {
    byte[] padded = java.util.Arrays.copyOf(RFC_ACCEPT, RFC_ACCEPT.length + 7);
    assertArrayEquals(RFC_ACCEPT, RadiusPacket.decode(padded, padded.length).encode());
  }

  @Test
  void inconsistentLengthsAreMalformed() {
    byte[] shortLength = RFC_ACCEPT.clone();
    shortLength[3] = 19;
    assertThrows(MalformedRadiusPacketException.class,
        () -> RadiusPacket.decode(shortLength, shortLength.length));
    assertThrows(MalformedRadiusPacketException.class,
        () -> RadiusPacket.decode(RFC_ACCEPT, RFC_ACCEPT.length - 1));
    byte[] zeroAttr = RFC_ACCEPT.clone();
    zeroAttr[21] = 1;
    assertThrows(MalformedRadiusPacketException.class,
        () -> RadiusPacket.decode(zeroAttr, zeroAttr.length));
    byte[] unknownCode = RFC_ACCEPT.clone();
    unknownCode[0] = 99;
    assertThrows(MalformedRadiusPacketException.class,
        () -> RadiusPacket.decode(unknownCode, unknownCode.length));
  }

  @Test
  void randomCorruptionEitherDecodesOrIsMalformedNeverAnythingElse() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = RFC_ACCEPT.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      try {
        RadiusPacket.decode(b, random.nextInt(b.length + 1));
      } catch (MalformedRadiusPacketException expected) {
        // fine
      }
    }
  }

  @Test
  void vendorAttributesAreFoundByVendorAndType() {
    RadiusAttribute vsa = RadiusAttribute.vendor(311, 26, new byte[] {1, 'S', '='});
    RadiusPacket p = new RadiusPacket(RadiusCode.ACCESS_ACCEPT, 1, new byte[16], List.of(vsa));
    assertArrayEquals(new byte[] {1, 'S', '='}, p.vendorAttributes(311, 26).get(0));
    assertEquals(0, p.vendorAttributes(311, 25).size());
    assertEquals(0, p.vendorAttributes(9, 26).size());
  }
}
