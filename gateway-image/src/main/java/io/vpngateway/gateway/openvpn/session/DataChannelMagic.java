package io.vpngateway.gateway.openvpn.session;

import java.nio.ByteBuffer;

/**
 * In-band data-channel messages that are not IP packets: the keepalive ping (openvpn {@code
 * ping.c: ping_string}) and OCC messages, of which only EXIT matters here (openvpn {@code occ.h}:
 * the 16-byte OCC magic then the opcode; OCC_EXIT = 6, sent by explicit-exit-notify when cc-exit
 * is not negotiated).
 */
final class DataChannelMagic {
  static final byte[] PING = {
    0x2a, 0x18, 0x7b, (byte) 0xf3, 0x64, 0x1e, (byte) 0xb4, (byte) 0xcb,
    0x07, (byte) 0xed, 0x2d, 0x0a, (byte) 0x98, 0x1f, (byte) 0xc7, 0x48
  };
  static final byte[] OCC = {
    0x28, 0x7f, 0x34, 0x6b, (byte) 0xd4, (byte) 0xef, 0x7a, (byte) 0x81,
    0x2d, 0x56, (byte) 0xb8, (byte) 0xd3, (byte) 0xaf, (byte) 0xc5, 0x45, (byte) 0x9c
  };
  static final int OCC_EXIT = 6;

  private DataChannelMagic() {}

  static boolean isPing(ByteBuffer b) {
    return b.remaining() == PING.length && startsWith(b, PING);
  }

  static boolean isOccExit(ByteBuffer b) {
    return b.remaining() >= OCC.length + 1 && startsWith(b, OCC)
        && b.get(b.position() + OCC.length) == OCC_EXIT;
  }

  private static boolean startsWith(ByteBuffer b, byte[] magic) {
    int p = b.position();
    for (int i = 0; i < magic.length; i++) {
      if (b.get(p + i) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
