package io.vpngateway.gateway.sstp.ppp.message;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A CHAP packet (RFC 1994 section 4) as MS-CHAPv2 uses it (RFC 2759 sections 3 to 6): Code,
 * Identifier, Length, then for Challenge and Response a Value-Size octet, the Value and the Name;
 * for Success and Failure a text Message.
 *
 * <p>MS-CHAPv2 Challenge value: 16 octets. Response value: 49 octets = Peer-Challenge (16),
 * reserved zeros (8), NT-Response (24), Flags (1).
 */
public record ChapPacket(int code, int identifier, byte[] value, byte[] name) {
  public static final int CHALLENGE = 1;
  public static final int RESPONSE = 2;
  public static final int SUCCESS = 3;
  public static final int FAILURE = 4;
  public static final int MSCHAPV2_RESPONSE_LENGTH = 49;

  public static ChapPacket parse(byte[] buf, int offset, int available)
      throws MalformedPppException {
    CpPacket p = CpPacket.parse(buf, offset, available);
    byte[] d = p.data();
    if (p.code() == CHALLENGE || p.code() == RESPONSE) {
      if (d.length < 1 || 1 + (d[0] & 0xff) > d.length) {
        throw new MalformedPppException("CHAP value size " + (d.length < 1 ? -1 : d[0] & 0xff));
      }
      int size = d[0] & 0xff;
      return new ChapPacket(
          p.code(),
          p.identifier(),
          Arrays.copyOfRange(d, 1, 1 + size),
          Arrays.copyOfRange(d, 1 + size, d.length));
    }
    if (p.code() == SUCCESS || p.code() == FAILURE) {
      return new ChapPacket(p.code(), p.identifier(), new byte[0], d);
    }
    throw new MalformedPppException("CHAP code " + p.code());
  }

  public static ChapPacket challenge(int identifier, byte[] challenge, String name) {
    return new ChapPacket(
        CHALLENGE, identifier, challenge, name.getBytes(StandardCharsets.UTF_8));
  }

  /** A Success or Failure packet with its message text. */
  public static ChapPacket message(int code, int identifier, String message) {
    return new ChapPacket(code, identifier, new byte[0], message.getBytes(StandardCharsets.UTF_8));
  }

  /** The Message of Success/Failure, or the Name of Challenge/Response, as text. */
  public String text() {
    return new String(name, StandardCharsets.UTF_8);
  }

  public byte[] encode() {
    byte[] data;
    if (code == CHALLENGE || code == RESPONSE) {
      data = new byte[1 + value.length + name.length];
      data[0] = (byte) value.length;
      System.arraycopy(value, 0, data, 1, value.length);
      System.arraycopy(name, 0, data, 1 + value.length, name.length);
    } else {
      data = name;
    }
    return new CpPacket(code, identifier, data).encode();
  }
}
