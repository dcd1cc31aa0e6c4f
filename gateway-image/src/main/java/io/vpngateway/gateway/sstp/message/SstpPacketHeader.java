package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.exception.MalformedSstpException;

/**
 * The 4-octet header every SSTP packet starts with (MS-SSTP section 2.2.1): Version (0x10 for
 * 1.0), 7 reserved bits and the C bit (1: control, 0: data), 4 reserved bits and a 12-bit Length
 * of the whole packet, header included. So no SSTP packet is longer than 4095 octets.
 */
public final class SstpPacketHeader {
  public static final int LENGTH = 4;
  public static final int VERSION = 0x10;
  public static final int MAX_LENGTH = 0x0fff;

  private SstpPacketHeader() {}

  /**
   * The packet length the header at {@code offset} announces.
   *
   * @throws MalformedSstpException for another version or a length below the header's
   */
  public static int decode(byte[] b, int offset, int available) throws MalformedSstpException {
    if (available < LENGTH) {
      throw new MalformedSstpException("packet shorter than its header");
    }
    if ((b[offset] & 0xff) != VERSION) {
      throw new MalformedSstpException(
          String.format("SSTP version 0x%02x is not 1.0", b[offset] & 0xff));
    }
    int length = SstpControlMessage.u16(b, offset + 2) & 0x0fff;
    if (length < LENGTH) {
      throw new MalformedSstpException("packet length " + length);
    }
    return length;
  }

  public static boolean isControl(byte[] packet) {
    return (packet[1] & 0x01) != 0;
  }

  public static void encode(byte[] out, boolean control, int length) {
    encode(out, 0, control, length);
  }

  /** Writes the header of a packet of {@code length} octets at {@code offset}. */
  public static void encode(byte[] out, int offset, boolean control, int length) {
    out[offset] = (byte) VERSION;
    out[offset + 1] = (byte) (control ? 1 : 0);
    SstpControlMessage.put16(out, offset + 2, length & 0x0fff);
  }
}
