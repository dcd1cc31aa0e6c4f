package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration payload, RFC 7296 §3.15: {@code CFG Type | RESERVED (3) | attributes}. A client
 * sends CFG_REQUEST in IKE_AUTH to ask for an inner address and DNS servers; the gateway answers
 * CFG_REPLY (§2.19).
 */
public record ConfigPayload(int cfgType, List<ConfigAttribute> attributes) implements IkePayload {
  public static final int CFG_REQUEST = 1;
  public static final int CFG_REPLY = 2;
  public static final int CFG_SET = 3;
  public static final int CFG_ACK = 4;

  public ConfigPayload {
    attributes = List.copyOf(attributes);
  }

  /** Whether an attribute of this type is present. */
  public boolean has(int attributeType) {
    return attributes.stream().anyMatch(a -> a.attributeType() == attributeType);
  }

  @Override
  public int type() {
    return PayloadType.CP;
  }

  @Override
  public int bodyLength() {
    int n = 4;
    for (ConfigAttribute a : attributes) {
      n += 4 + a.value().length;
    }
    return n;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) cfgType).put((byte) 0).putShort((short) 0);
    for (ConfigAttribute a : attributes) {
      byte[] v = a.value();
      out.putShort((short) (a.attributeType() & 0x7fff)).putShort((short) v.length).put(v);
    }
  }

  static ConfigPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 4) {
      throw new InvalidSyntaxException("CP payload too short");
    }
    int cfgType = in.get() & 0xff;
    in.get();
    in.getShort();
    List<ConfigAttribute> list = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 4) {
        throw new InvalidSyntaxException("truncated configuration attribute");
      }
      int type = in.getShort() & 0x7fff;
      int length = in.getShort() & 0xffff;
      if (length > in.remaining()) {
        throw new InvalidSyntaxException("configuration attribute overruns the payload");
      }
      byte[] value = new byte[length];
      in.get(value);
      list.add(new ConfigAttribute(type, value));
    }
    return new ConfigPayload(cfgType, list);
  }
}
