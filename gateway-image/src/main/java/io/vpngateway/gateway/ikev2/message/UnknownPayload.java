package io.vpngateway.gateway.ikev2.message;

import java.nio.ByteBuffer;

/**
 * A payload of a type this gateway does not implement, with the critical bit clear: RFC 7296 §2.5
 * says to skip it. Kept (not dropped) so a message's payload list is complete for logs and tests.
 */
public record UnknownPayload(int type, boolean critical, byte[] body) implements IkePayload {
  public UnknownPayload {
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public int bodyLength() {
    return body.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put(body);
  }
}
