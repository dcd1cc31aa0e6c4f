package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * Key Exchange payload, RFC 7296 §3.4: the Diffie-Hellman group number, two reserved octets and
 * the public value (its format is the group's: RFC 3526/5114 MODP, RFC 5903 ECP, RFC 8031 X25519).
 */
public record KePayload(int group, byte[] data) implements IkePayload {
  public KePayload {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int type() {
    return PayloadType.KE;
  }

  @Override
  public int bodyLength() {
    return 4 + data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.putShort((short) group).putShort((short) 0).put(data);
  }

  static KePayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 5) {
      throw new InvalidSyntaxException("KE payload too short");
    }
    int group = in.getShort() & 0xffff;
    in.getShort();
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new KePayload(group, data);
  }
}
