package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;

/**
 * Certificate payload, RFC 7296 §3.6: {@code Cert Encoding | Certificate Data}. This gateway sends
 * and accepts encoding 4, a DER X.509 certificate.
 */
public record CertPayload(int encoding, byte[] data) implements IkePayload {
  public static final int X509_SIGNATURE = 4;

  public CertPayload {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public int type() {
    return PayloadType.CERT;
  }

  @Override
  public int bodyLength() {
    return 1 + data.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) encoding).put(data);
  }

  static CertPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 2) {
      throw new InvalidSyntaxException("CERT payload too short");
    }
    int encoding = in.get() & 0xff;
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new CertPayload(encoding, data);
  }

  @Override
  public String toString() {
    return "CERT(" + encoding + ", " + data.length + " octets)";
  }
}
