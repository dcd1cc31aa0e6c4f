package io.vpngateway.gateway.tun;

import java.nio.ByteBuffer;

/**
 * Transmit-side segmentation of the TCP super-packets a TUN device with offloads hands its reader
 * ({@link TunDevice#enableTcpSegmentationOffload()}), what a NIC does with TSO and what the
 * kernel's {@code net/ipv4/tcp_offload.c: tcp_gso_segment} does in software: one TCP/IPv4 packet
 * of up to 64 KiB with {@code virtio_net_hdr} {@code GSO_TCPV4} becomes the {@code gso_size}
 * segments its sender meant. The kernel's TCP stack so walks its output path once per 64 KiB
 * instead of once per segment; the segments are cut here, once, on their way to encryption.
 *
 * <p>Each segment gets the super-packet's IP and TCP headers with its own IP total length,
 * consecutive IP ids, its sequence number, FIN and PSH only on the last segment, CWR only on the
 * first, and complete IP and TCP checksums (the device no longer computes them). Segments are
 * built one at a time in one reused heap buffer, with room in front and behind for a protocol's
 * header and tag, and handed to a {@link Sink} in order; nothing is allocated per packet.
 *
 * <p>Plain packets of an offloading device may still need their checksum finished ({@code
 * NEEDS_CSUM}): {@link #completeChecksum} does that in place. Not thread-safe (one per reader).
 */
public final class TsoSegmenter {
  /** Takes each finished segment (position to limit); the buffer is reused after it returns. */
  public interface Sink {
    void accept(ByteBuffer segment);
  }

  private static final int TCP_FIN = 0x01;
  private static final int TCP_PSH = 0x08;
  private static final int TCP_CWR = 0x80;
  private static final int MAX_PACKET = 65535;

  private final int headroom;
  private final ByteBuffer segment;

  /**
   * @param headroom free bytes kept in front of each segment
   * @param tailroom free bytes kept after the largest segment
   */
  public TsoSegmenter(int headroom, int tailroom) {
    this.headroom = headroom;
    this.segment = ByteBuffer.allocate(headroom + MAX_PACKET + tailroom);
  }

  /**
   * Cuts the TCP/IPv4 super-packet between {@code packet}'s position and limit into segments of
   * {@code gsoSize} payload bytes (the last may be shorter) and hands them to {@code sink}.
   * {@code packet} itself is not modified.
   *
   * @return the number of segments, or -1 when the packet is not a TCP/IPv4 packet that can be
   *     segmented (the caller drops and counts it)
   */
  public int segment(ByteBuffer packet, int gsoSize, Sink sink) {
    int p = packet.position();
    int length = packet.remaining();
    if (length < 40 || gsoSize < 1 || (packet.get(p) & 0xf0) != 0x40
        || packet.get(p + 9) != 6) {
      return -1;
    }
    int ihl = (packet.get(p) & 0x0f) * 4;
    int totalLength = packet.getShort(p + 2) & 0xffff;
    if (ihl < 20 || length < ihl + 20 || (totalLength != length && totalLength != 0)) {
      return -1;
    }
    int thl = ((packet.get(p + ihl + 12) & 0xff) >>> 4) * 4;
    int headers = ihl + thl;
    if (thl < 20 || headers > length) {
      return -1;
    }
    int payload = length - headers;
    int ipId = packet.getShort(p + 4) & 0xffff;
    int seq = packet.getInt(p + ihl + 4);
    int flags = packet.get(p + ihl + 13) & 0xff;
    int count = Math.max(1, (payload + gsoSize - 1) / gsoSize);
    ByteBuffer s = segment;
    int h = headroom;
    for (int k = 0; k < count; k++) {
      int offset = k * gsoSize;
      int n = Math.min(gsoSize, payload - offset);
      boolean last = k == count - 1;
      s.clear();
      s.put(h, packet, p, headers);
      s.put(h + headers, packet, p + headers + offset, n);
      int segmentLength = headers + n;
      s.putShort(h + 2, (short) segmentLength);
      s.putShort(h + 4, (short) (ipId + k));
      s.putShort(h + 10, (short) 0);
      s.putShort(h + 10, (short) ~fold(sum(s, h, ihl, 0)));
      int t = h + ihl;
      s.putInt(t + 4, seq + offset);
      int f = flags;
      if (!last) {
        f &= ~(TCP_FIN | TCP_PSH);
      }
      if (k > 0) {
        f &= ~TCP_CWR;
      }
      s.put(t + 13, (byte) f);
      s.putShort(t + 16, (short) 0);
      s.putShort(t + 16, (short) ~fold(sum(s, t, thl + n, pseudoHeaderSum(s, h, thl + n))));
      s.limit(h + segmentLength).position(h);
      sink.accept(s);
    }
    return count;
  }

  /**
   * Finishes a partial checksum in place ({@code virtio_net_hdr} {@code NEEDS_CSUM}): the
   * one's-complement sum from {@code csumStart} (relative to the packet's position) to the end,
   * whose checksum field already holds the pseudo-header sum, is folded into that field at {@code
   * csumStart + csumOffset}.
   *
   * @return false when the offsets do not fit the packet (the caller drops it)
   */
  public static boolean completeChecksum(ByteBuffer packet, int csumStart, int csumOffset) {
    int p = packet.position();
    int length = packet.remaining();
    if (csumStart < 20 || csumOffset < 0 || csumStart + csumOffset + 2 > length) {
      return false;
    }
    int field = p + csumStart + csumOffset;
    int checksum = ~fold(sum(packet, p + csumStart, length - csumStart, 0)) & 0xffff;
    if (checksum == 0 && packet.get(p + 9) == 17) {
      checksum = 0xffff; // RFC 768: a computed UDP checksum of zero is sent as all ones
    }
    packet.putShort(field, (short) checksum);
    return true;
  }

  /** The IPv4 pseudo-header (RFC 793 §3.1) sum for a TCP header + payload of {@code tcpLength}. */
  private static long pseudoHeaderSum(ByteBuffer b, int ip, int tcpLength) {
    return (b.getInt(ip + 12) & 0xffffffffL) + (b.getInt(ip + 16) & 0xffffffffL) + 6 + tcpLength;
  }

  /**
   * Adds the big-endian 16-bit words of {@code length} bytes at {@code from} to {@code sum}
   * (RFC 1071), eight bytes at a time; an odd last byte counts as a word's high byte.
   */
  static long sum(ByteBuffer b, int from, int length, long sum) {
    int i = from;
    int end = from + length;
    for (; i + 8 <= end; i += 8) {
      long v = b.getLong(i);
      sum += (v >>> 32) + (v & 0xffffffffL);
    }
    if (i + 4 <= end) {
      sum += b.getInt(i) & 0xffffffffL;
      i += 4;
    }
    if (i + 2 <= end) {
      sum += b.getShort(i) & 0xffff;
      i += 2;
    }
    if (i < end) {
      sum += (b.get(i) & 0xff) << 8;
    }
    return sum;
  }

  static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }
}
