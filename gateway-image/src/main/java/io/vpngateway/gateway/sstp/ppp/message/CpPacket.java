package io.vpngateway.gateway.sstp.ppp.message;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import java.util.Arrays;

/**
 * A packet of a PPP control protocol in the LCP format (RFC 1661 section 5; IPCP reuses it, RFC
 * 1332 section 2): Code, Identifier, Length (of the packet, header included), data. Octets past
 * Length are padding and ignored (RFC 1661 section 5).
 */
public record CpPacket(int code, int identifier, byte[] data) {
  public static final int CONFIGURE_REQUEST = 1;
  public static final int CONFIGURE_ACK = 2;
  public static final int CONFIGURE_NAK = 3;
  public static final int CONFIGURE_REJECT = 4;
  public static final int TERMINATE_REQUEST = 5;
  public static final int TERMINATE_ACK = 6;
  public static final int CODE_REJECT = 7;
  /** LCP only. */
  public static final int PROTOCOL_REJECT = 8;
  /** LCP only. */
  public static final int ECHO_REQUEST = 9;
  /** LCP only. */
  public static final int ECHO_REPLY = 10;
  /** LCP only. */
  public static final int DISCARD_REQUEST = 11;

  public static CpPacket parse(byte[] buf, int offset, int available)
      throws MalformedPppException {
    if (available < 4) {
      throw new MalformedPppException("control packet shorter than 4 octets");
    }
    int length = ((buf[offset + 2] & 0xff) << 8) | (buf[offset + 3] & 0xff);
    if (length < 4 || length > available) {
      throw new MalformedPppException(
          "control packet length " + length + " with " + available + " octets");
    }
    return new CpPacket(
        buf[offset] & 0xff,
        buf[offset + 1] & 0xff,
        Arrays.copyOfRange(buf, offset + 4, offset + length));
  }

  public byte[] encode() {
    byte[] out = new byte[4 + data.length];
    out[0] = (byte) code;
    out[1] = (byte) identifier;
    out[2] = (byte) (out.length >>> 8);
    out[3] = (byte) out.length;
    System.arraycopy(data, 0, out, 4, data.length);
    return out;
  }
}
