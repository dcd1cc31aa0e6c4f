package io.vpngateway.gateway.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.lab.Packets;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Ipv4PacketsTest {
  private static Arguments tweak(String name, int expected, int newLimit, Consumer<ByteBuffer> f) {
    ByteBuffer p = Packets.udp(0x0a000001, 0x0a000002, 1, 2, 12);
    f.accept(p);
    if (newLimit >= 0) {
      p.limit(newLimit);
    }
    return Arguments.of(name, p, expected);
  }

  static Stream<Arguments> packets() {
    return Stream.of(
        tweak("valid UDP", Ipv4Packets.VALID, -1, p -> {}),
        tweak("IPv6", Ipv4Packets.NOT_IPV4, -1, p -> p.put(0, (byte) 0x60)),
        tweak("version 5", Ipv4Packets.MALFORMED, -1, p -> p.put(0, (byte) 0x55)),
        tweak("IHL 4", Ipv4Packets.MALFORMED, -1, p -> p.put(0, (byte) 0x44)),
        tweak("IHL past the end", Ipv4Packets.MALFORMED, -1, p -> p.put(0, (byte) 0x4f)),
        tweak("shorter than a header", Ipv4Packets.MALFORMED, 19, p -> {}),
        tweak("empty", Ipv4Packets.MALFORMED, 0, p -> {}),
        tweak(
            "total length beyond data", Ipv4Packets.MALFORMED, -1, p -> p.putShort(2, (short) 400)),
        tweak(
            "total length below header",
            Ipv4Packets.MALFORMED,
            -1,
            p -> p.putShort(2, (short) 12)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void classifies(String name, ByteBuffer packet, int expected) {
    assertEquals(expected, Ipv4Packets.classify(packet));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void classifiesAtAnOffset(String name, ByteBuffer packet, int expected) {
    ByteBuffer shifted = ByteBuffer.allocateDirect(packet.limit() + 64);
    shifted.position(64);
    shifted.put(packet.duplicate().position(0)).flip().position(64);
    assertEquals(expected, Ipv4Packets.classify(shifted));
    if (expected == Ipv4Packets.VALID) {
      assertEquals(0x0a000002, Ipv4Packets.destination(shifted));
      assertEquals(0x0a000001, Ipv4Packets.source(shifted));
    }
  }

  @org.junit.jupiter.api.Test
  void trailingPaddingIsTrimmed() {
    ByteBuffer padded = ByteBuffer.allocateDirect(60);
    padded.put(Packets.udp(1, 2, 1, 2, 4)).position(0).limit(60);
    assertEquals(Ipv4Packets.VALID, Ipv4Packets.classify(padded));
    assertEquals(32, padded.limit());
  }
}
