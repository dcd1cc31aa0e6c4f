package io.vpngateway.gateway.ikev2.message;

import java.nio.ByteBuffer;

/** Vendor ID payload, RFC 7296 §3.12: opaque data; received ones are ignored. */
public record VendorIdPayload(byte[] data) implements IkePayload {
  public VendorIdPayload {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int type() {
    return PayloadType.VENDOR_ID;
  }

  @Override
  public int bodyLength() {
    return data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put(data);
  }

  static VendorIdPayload decode(ByteBuffer in) {
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new VendorIdPayload(data);
  }
}
