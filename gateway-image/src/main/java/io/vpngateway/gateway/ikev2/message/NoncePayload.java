package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/** Nonce payload (Ni, Nr), RFC 7296 §3.9: 16 to 256 random octets. */
public record NoncePayload(byte[] nonce) implements IkePayload {
  public static final int MIN_LENGTH = 16;
  public static final int MAX_LENGTH = 256;

  public NoncePayload {
    nonce = nonce.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public int type() {
    return PayloadType.NONCE;
  }

  @Override
  public int bodyLength() {
    return nonce.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put(nonce);
  }

  static NoncePayload decode(ByteBuffer in) throws InvalidSyntaxException {
    int n = in.remaining();
    if (n < MIN_LENGTH || n > MAX_LENGTH) {
      throw new InvalidSyntaxException("nonce of " + n + " octets (16-256 allowed)");
    }
    byte[] nonce = new byte[n];
    in.get(nonce);
    return new NoncePayload(nonce);
  }
}
