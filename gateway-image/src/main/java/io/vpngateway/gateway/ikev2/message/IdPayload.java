package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Identification payload IDi or IDr, RFC 7296 §3.5: {@code ID Type | RESERVED (3) | data}. The
 * body (type, reserved and data, without the generic header) is what the AUTH computation MACs
 * (§2.15), see {@link #body()}.
 *
 * @param initiator IDi (true) or IDr (false)
 * @param idType {@link #ID_IPV4_ADDR}, {@link #ID_FQDN}, ...
 * @param data the identification data
 */
public record IdPayload(boolean initiator, int idType, byte[] data) implements IkePayload {
  public static final int ID_IPV4_ADDR = 1;
  public static final int ID_FQDN = 2;
  public static final int ID_RFC822_ADDR = 3;
  public static final int ID_IPV6_ADDR = 5;
  public static final int ID_DER_ASN1_DN = 9;
  public static final int ID_DER_ASN1_GN = 10;
  public static final int ID_KEY_ID = 11;

  public IdPayload {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int type() {
    return initiator ? PayloadType.IDI : PayloadType.IDR;
  }

  @Override
  public int bodyLength() {
    return 4 + data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) idType).put((byte) 0).putShort((short) 0).put(data);
  }

  /** The payload body as MACed by the AUTH computation, RFC 7296 §2.15 (IDi' / IDr'). */
  public byte[] body() {
    ByteBuffer b = ByteBuffer.allocate(bodyLength());
    encodeBody(b);
    return b.array();
  }

  /** The data as text, for the FQDN and RFC 822 types. */
  public String text() {
    return new String(data, StandardCharsets.UTF_8);
  }

  static IdPayload decode(boolean initiator, ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 5) {
      throw new InvalidSyntaxException("ID payload too short");
    }
    int type = in.get() & 0xff;
    in.get();
    in.getShort();
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new IdPayload(initiator, type, data);
  }

  @Override
  public String toString() {
    return (initiator ? "IDi" : "IDr") + "(type " + idType + ")";
  }
}
