package io.vpngateway.gateway.dataplane;

import java.nio.ByteBuffer;

/**
 * Just enough IPv4 header parsing (RFC 791 §3.1) for routing a packet to a session: version, header
 * and total length sanity, destination and source address. Absolute indexes, no state, no
 * allocation.
 */
final class Ipv4Packets {
  static final int VALID = 0;
  static final int NOT_IPV4 = 1;
  static final int MALFORMED = 2;

  private static final int MIN_HEADER = 20;

  private Ipv4Packets() {}

  /**
   * Checks the packet between position and limit. A total length shorter than the buffer (link
   * padding) is accepted; the limit is then trimmed to it.
   */
  static int classify(ByteBuffer packet) {
    int start = packet.position();
    int length = packet.limit() - start;
    if (length < 1) {
      return MALFORMED;
    }
    int versionAndIhl = packet.get(start) & 0xff;
    int version = versionAndIhl >>> 4;
    if (version == 6) {
      return NOT_IPV4;
    }
    if (version != 4 || length < MIN_HEADER) {
      return MALFORMED;
    }
    int headerLength = (versionAndIhl & 0x0f) * 4;
    int totalLength = packet.getShort(start + 2) & 0xffff;
    if (headerLength < MIN_HEADER || totalLength < headerLength || totalLength > length) {
      return MALFORMED;
    }
    if (totalLength < length) {
      packet.limit(start + totalLength);
    }
    return VALID;
  }

  /** The destination address of a {@link #VALID} packet, as {@code SessionRegistry} keys it. */
  static int destination(ByteBuffer packet) {
    return packet.getInt(packet.position() + 16);
  }

  static int source(ByteBuffer packet) {
    return packet.getInt(packet.position() + 12);
  }
}
