package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import java.util.ArrayList;
import java.util.List;

/**
 * An SSTP control packet (MS-SSTP sections 2.2.1 and 2.2.2): the 4-octet SSTP header with the C
 * bit set, Message Type (2), Num Attributes (2), then the attributes.
 *
 * <pre>
 *   | 0x10 | 0x01 | R(4) Length(12) | Message Type | Num Attributes | attributes...
 *   attribute: | Reserved | Attribute ID | R(4) Length(12) | value...
 * </pre>
 *
 * Immutable and stateless: {@link #decode} and {@link #encode} never look at a session.
 */
public record SstpControlMessage(SstpMessageType type, List<SstpAttribute> attributes) {
  /** Attributes a control message may carry; more is an attack, not a client. */
  static final int MAX_ATTRIBUTES = 8;

  public SstpControlMessage {
    attributes = List.copyOf(attributes);
  }

  public static SstpControlMessage of(SstpMessageType type, SstpAttribute... attributes) {
    return new SstpControlMessage(type, List.of(attributes));
  }

  /** The first attribute with {@code id}, or null. */
  public SstpAttribute attribute(int id) {
    for (SstpAttribute a : attributes) {
      if (a.id() == id) {
        return a;
      }
    }
    return null;
  }

  /**
   * Decodes a whole control packet, header included (as {@link SstpPacketReader} returns it).
   *
   * @throws MalformedSstpException on a bad header, an unknown message type, lengths that do not
   *     add up, too many attributes or trailing octets
   */
  public static SstpControlMessage decode(byte[] packet) throws MalformedSstpException {
    SstpPacketHeader.decode(packet, 0, packet.length);
    if (!SstpPacketHeader.isControl(packet)) {
      throw new MalformedSstpException("not a control packet");
    }
    if (packet.length < 8) {
      throw new MalformedSstpException("control packet shorter than 8 octets");
    }
    int typeCode = u16(packet, 4);
    SstpMessageType type = SstpMessageType.ofCode(typeCode);
    if (type == null) {
      throw new MalformedSstpException("unknown control message type " + typeCode);
    }
    int count = u16(packet, 6);
    if (count > MAX_ATTRIBUTES) {
      throw new MalformedSstpException(count + " attributes in one control message");
    }
    List<SstpAttribute> attributes = new ArrayList<>(count);
    int at = 8;
    for (int i = 0; i < count; i++) {
      if (at + 4 > packet.length) {
        throw new MalformedSstpException("attribute " + i + " runs past the packet");
      }
      int id = packet[at + 1] & 0xff;
      int length = u16(packet, at + 2) & 0x0fff;
      if (length < 4 || at + length > packet.length) {
        throw new MalformedSstpException("attribute " + id + " has length " + length);
      }
      byte[] value = new byte[length - 4];
      System.arraycopy(packet, at + 4, value, 0, value.length);
      attributes.add(new SstpAttribute(id, value, at + 4));
      at += length;
    }
    if (at != packet.length) {
      throw new MalformedSstpException((packet.length - at) + " octets after the attributes");
    }
    return new SstpControlMessage(type, attributes);
  }

  /** The whole packet, SSTP header included. */
  public byte[] encode() {
    int length = 8;
    for (SstpAttribute a : attributes) {
      length += 4 + a.value().length;
    }
    if (length > SstpPacketHeader.MAX_LENGTH) {
      throw new IllegalArgumentException("control message of " + length + " octets");
    }
    byte[] out = new byte[length];
    SstpPacketHeader.encode(out, true, length);
    put16(out, 4, type.code());
    put16(out, 6, attributes.size());
    int at = 8;
    for (SstpAttribute a : attributes) {
      out[at + 1] = (byte) a.id();
      put16(out, at + 2, 4 + a.value().length);
      System.arraycopy(a.value(), 0, out, at + 4, a.value().length);
      at += 4 + a.value().length;
    }
    return out;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }
}
