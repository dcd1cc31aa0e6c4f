package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * EAP payload, RFC 7296 §3.16: one EAP message (RFC 3748 §4: {@code Code | Identifier | Length (2)
 * | ...}); its own Length field must match the payload.
 */
public record EapPayload(byte[] message) implements IkePayload {
  public EapPayload {
    message = message.clone();
  }

  @Override
  public byte[] message() {
    return message.clone();
  }

  @Override
  public int type() {
    return PayloadType.EAP;
  }

  @Override
  public int bodyLength() {
    return message.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put(message);
  }

  static EapPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 4 || (in.getShort(in.position() + 2) & 0xffff) != in.remaining()) {
      throw new InvalidSyntaxException("EAP message length does not match its payload");
    }
    byte[] m = new byte[in.remaining()];
    in.get(m);
    return new EapPayload(m);
  }
}
