package io.vpngateway.gateway.sstp.ppp.message;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Configuration Option (RFC 1661 section 6; IPCP's of RFC 1332 section 3): Type, Length (of
 * the option, header included), data.
 */
public record CpOption(int type, byte[] data) {
  /** Decodes the options of a Configure-Request/Ack/Nak/Reject. */
  public static List<CpOption> decodeAll(byte[] data) throws MalformedPppException {
    List<CpOption> out = new ArrayList<>();
    int at = 0;
    while (at < data.length) {
      if (at + 2 > data.length) {
        throw new MalformedPppException("option header cut short");
      }
      int length = data[at + 1] & 0xff;
      if (length < 2 || at + length > data.length) {
        throw new MalformedPppException("option " + (data[at] & 0xff) + " has length " + length);
      }
      out.add(new CpOption(data[at] & 0xff, Arrays.copyOfRange(data, at + 2, at + length)));
      at += length;
    }
    return out;
  }

  public static byte[] encodeAll(List<CpOption> options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (CpOption o : options) {
      out.write(o.type);
      out.write(2 + o.data.length);
      out.writeBytes(o.data);
    }
    return out.toByteArray();
  }

  /** The option's data as an unsigned big-endian number (for 2- and 4-octet options). */
  public long number() {
    long v = 0;
    for (byte b : data) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  public static CpOption ofNumber(int type, long value, int octets) {
    byte[] d = new byte[octets];
    for (int i = octets - 1; i >= 0; i--) {
      d[i] = (byte) value;
      value >>>= 8;
    }
    return new CpOption(type, d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CpOption other && other.type == type && Arrays.equals(other.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(data);
  }
}
