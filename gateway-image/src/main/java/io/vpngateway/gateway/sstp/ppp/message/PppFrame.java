package io.vpngateway.gateway.sstp.ppp.message;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;

/**
 * A PPP frame as SSTP carries it in a data packet (MS-SSTP section 2.2.3): no HDLC flags,
 * escaping or FCS, optionally the Address and Control octets {@code FF 03} (RFC 1662 section 3.1),
 * then the Protocol field (RFC 1661 section 2; one octet when the peer compresses it, RFC 1661
 * section 6.5), then the information field. Frames are sent with {@code FF 03} and a two-octet
 * protocol, which every peer accepts.
 *
 * @param protocol the protocol number
 * @param offset where the information field starts in the buffer it was parsed from
 * @param length length of the information field
 */
public record PppFrame(int protocol, int offset, int length) {
  /** Octets {@link #encodeHeader} writes before the information field. */
  public static final int HEADER_LENGTH = 4;

  /** Parses the frame in {@code buf[offset, offset + length)} without copying it. */
  public static PppFrame parse(byte[] buf, int offset, int length) throws MalformedPppException {
    int at = offset;
    int end = offset + length;
    if (end - at >= 2 && (buf[at] & 0xff) == 0xff && (buf[at + 1] & 0xff) == 0x03) {
      at += 2;
    }
    if (at >= end) {
      throw new MalformedPppException("PPP frame without a protocol field");
    }
    int protocol;
    if ((buf[at] & 0x01) != 0) {
      // a compressed (one-octet) protocol field: the low octet of an odd protocol number
      protocol = buf[at] & 0xff;
      at += 1;
    } else {
      if (at + 2 > end) {
        throw new MalformedPppException("PPP frame cut inside its protocol field");
      }
      protocol = ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
      at += 2;
      if ((protocol & 0x0001) == 0) {
        throw new MalformedPppException(String.format("even PPP protocol 0x%04x", protocol));
      }
    }
    return new PppFrame(protocol, at, end - at);
  }

  /** Writes {@code FF 03} and the two-octet protocol at {@code offset}. */
  public static void encodeHeader(byte[] out, int offset, int protocol) {
    out[offset] = (byte) 0xff;
    out[offset + 1] = 0x03;
    out[offset + 2] = (byte) (protocol >>> 8);
    out[offset + 3] = (byte) protocol;
  }

  /** A whole frame: header and {@code information}. */
  public static byte[] encode(int protocol, byte[] information) {
    byte[] out = new byte[HEADER_LENGTH + information.length];
    encodeHeader(out, 0, protocol);
    System.arraycopy(information, 0, out, HEADER_LENGTH, information.length);
    return out;
  }
}
