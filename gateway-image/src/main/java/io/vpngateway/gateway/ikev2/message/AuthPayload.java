package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * Authentication payload, RFC 7296 §3.8: {@code Auth Method | RESERVED (3) | Authentication Data}.
 * Methods: 1 RSA PKCS#1 v1.5 with SHA-1, 2 shared key MIC, 9/10/11 ECDSA with SHA-256/384/512 (RFC
 * 4754), 14 digital signature (RFC 7427).
 */
public record AuthPayload(int method, byte[] data) implements IkePayload {
  public static final int RSA_SIGNATURE = 1;
  public static final int SHARED_KEY_MIC = 2;
  public static final int ECDSA_SHA256_P256 = 9;
  public static final int ECDSA_SHA384_P384 = 10;
  public static final int ECDSA_SHA512_P521 = 11;
  public static final int DIGITAL_SIGNATURE = 14;

  public AuthPayload {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int type() {
    return PayloadType.AUTH;
  }

  @Override
  public int bodyLength() {
    return 4 + data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) method).put((byte) 0).putShort((short) 0).put(data);
  }

  static AuthPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 5) {
      throw new InvalidSyntaxException("AUTH payload too short");
    }
    int method = in.get() & 0xff;
    in.get();
    in.getShort();
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new AuthPayload(method, data);
  }

  @Override
  public String toString() {
    return "AUTH(method " + method + ")";
  }
}
