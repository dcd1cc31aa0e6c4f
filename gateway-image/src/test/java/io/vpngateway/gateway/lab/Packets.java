package io.vpngateway.gateway.lab;

import java.nio.ByteBuffer;

/** Builds and inspects the few IPv4 packets the data-plane tests send (RFC 791, RFC 792). */
public final class Packets {
  public static final int PROTO_ICMP = 1;
  public static final int PROTO_UDP = 17;

  private Packets() {}

  /** An IPv4 ICMP echo request with a 16-byte payload, ready to read (position 0). */
  public static ByteBuffer icmpEchoRequest(int src, int dst, int id, int seq) {
    ByteBuffer b = ByteBuffer.allocateDirect(20 + 8 + 16);
    ipv4Header(b, b.capacity(), PROTO_ICMP, src, dst);
    int icmp = 20;
    b.put(icmp, (byte) 8).put(icmp + 1, (byte) 0).putShort(icmp + 2, (short) 0);
    b.putShort(icmp + 4, (short) id).putShort(icmp + 6, (short) seq);
    for (int i = 0; i < 16; i++) {
      b.put(icmp + 8 + i, (byte) i);
    }
    b.putShort(icmp + 2, (short) checksum(b, icmp, 8 + 16));
    b.limit(b.capacity()).position(0);
    return b;
  }

  /** An IPv4 UDP datagram with {@code payloadLength} bytes (UDP checksum 0: allowed for IPv4). */
  public static ByteBuffer udp(int src, int dst, int srcPort, int dstPort, int payloadLength) {
    ByteBuffer b = ByteBuffer.allocateDirect(20 + 8 + payloadLength);
    ipv4Header(b, b.capacity(), PROTO_UDP, src, dst);
    b.putShort(20, (short) srcPort).putShort(22, (short) dstPort);
    b.putShort(24, (short) (8 + payloadLength)).putShort(26, (short) 0);
    b.limit(b.capacity()).position(0);
    return b;
  }

  private static void ipv4Header(ByteBuffer b, int totalLength, int protocol, int src, int dst) {
    b.put(0, (byte) 0x45).put(1, (byte) 0).putShort(2, (short) totalLength);
    b.putShort(4, (short) 0x1234).putShort(6, (short) 0x4000); // DF
    b.put(8, (byte) 64).put(9, (byte) protocol).putShort(10, (short) 0);
    b.putInt(12, src).putInt(16, dst);
    b.putShort(10, (short) checksum(b, 0, 20));
  }

  /** The Internet checksum (RFC 1071) over {@code length} bytes from {@code offset}. */
  public static int checksum(ByteBuffer b, int offset, int length) {
    long sum = 0;
    for (int i = 0; i + 1 < length; i += 2) {
      sum += b.getShort(offset + i) & 0xffff;
    }
    if ((length & 1) != 0) {
      sum += (b.get(offset + length - 1) & 0xff) << 8;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  public static boolean isIcmpEchoReply(ByteBuffer p, int from, int to, int id) {
    return p.limit() >= 28
        && (p.get(0) & 0xf0) == 0x40
        && p.get(9) == PROTO_ICMP
        && p.getInt(12) == from
        && p.getInt(16) == to
        && p.get(20) == 0
        && (p.getShort(24) & 0xffff) == id;
  }

  /** {@code a.b.c.d} as a host-order int (the form SessionRegistry keys use). */
  public static int ipv4(String dotted) {
    String[] parts = dotted.split("\\.");
    int v = 0;
    for (String p : parts) {
      v = (v << 8) | Integer.parseInt(p);
    }
    return v;
  }
}
