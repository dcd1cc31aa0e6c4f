package io.vpngateway.gateway.load;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The trickle of traffic a simulated client sends through its tunnel: ICMP echo requests (RFC 792)
 * from its pushed address to the gateway's tunnel address, which the gateway's kernel answers
 * through TUN, so each reply proves both directions of the data path.
 */
final class EchoPackets {
  static final int PAYLOAD = 32;
  static final int LENGTH = 20 + 8 + PAYLOAD;

  private EchoPackets() {}

  /** Writes an echo request into {@code out} (cleared, then flipped). */
  static void request(ByteBuffer out, Inet4Address from, Inet4Address to, int id, int seq) {
    out.clear();
    int start = out.position();
    out.put((byte) 0x45).put((byte) 0).putShort((short) LENGTH)
        .putShort((short) seq).putShort((short) 0x4000) // id, DF
        .put((byte) 64).put((byte) 1).putShort((short) 0)
        .put(from.getAddress()).put(to.getAddress());
    out.putShort(start + 10, (short) checksum(out, start, 20));
    int icmp = out.position();
    out.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id)
        .putShort((short) seq);
    for (int i = 0; i < PAYLOAD; i++) {
      out.put((byte) i);
    }
    out.putShort(icmp + 2, (short) checksum(out, icmp, 8 + PAYLOAD));
    out.flip();
  }

  /** True when {@code ip} (position to limit) is an echo reply with {@code id}. */
  static boolean isReply(ByteBuffer ip, int id) {
    int p = ip.position();
    if (ip.remaining() < 28 || (ip.get(p) & 0xf0) != 0x40 || ip.get(p + 9) != 1) {
      return false;
    }
    int ihl = (ip.get(p) & 0x0f) * 4;
    return ip.remaining() >= ihl + 8
        && ip.get(p + ihl) == 0
        && (ip.getShort(p + ihl + 4) & 0xffff) == (id & 0xffff);
  }

  private static int checksum(ByteBuffer b, int from, int length) {
    long sum = 0;
    for (int i = 0; i + 1 < length; i += 2) {
      sum += b.getShort(from + i) & 0xffff;
    }
    if ((length & 1) != 0) {
      sum += (b.get(from + length - 1) & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }
}
