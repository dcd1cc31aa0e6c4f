package io.vpngateway.gateway.ikev2.message;

import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificate Request payload, RFC 7296 §3.7: {@code Cert Encoding | Certification Authority}. For
 * X.509 signatures the authority field is a concatenation of SHA-1 hashes of the trusted CAs'
 * SubjectPublicKeyInfo.
 */
public record CertRequestPayload(int encoding, byte[] authorities) implements IkePayload {
  public CertRequestPayload {
    authorities = authorities.clone();
  }

  /** A request for X.509 certificates issued by any of the CAs with these key hashes. */
  public static CertRequestPayload x509(List<byte[]> sha1KeyHashes) {
    byte[] all = new byte[sha1KeyHashes.size() * 20];
    for (int i = 0; i < sha1KeyHashes.size(); i++) {
      System.arraycopy(sha1KeyHashes.get(i), 0, all, i * 20, 20);
    }
    return new CertRequestPayload(CertPayload.X509_SIGNATURE, all);
  }

  @Override
  public byte[] authorities() {
    return authorities.clone();
  }

  /** The SHA-1 key hashes (a trailing partial hash is ignored). */
  public List<byte[]> keyHashes() {
    List<byte[]> hashes = new ArrayList<>();
    for (int i = 0; i + 20 <= authorities.length; i += 20) {
      byte[] h = new byte[20];
      System.arraycopy(authorities, i, h, 0, 20);
      hashes.add(h);
    }
    return hashes;
  }

  @Override
  public int type() {
    return PayloadType.CERTREQ;
  }

  @Override
  public int bodyLength() {
    return 1 + authorities.length;
  }

  @Override
  public void encodeBody(ByteBuffer out) {
    out.put((byte) encoding).put(authorities);
  }

  static CertRequestPayload decode(ByteBuffer in) throws InvalidSyntaxException {
    if (in.remaining() < 1) {
      throw new InvalidSyntaxException("CERTREQ payload too short");
    }
    int encoding = in.get() & 0xff;
    byte[] data = new byte[in.remaining()];
    in.get(data);
    return new CertRequestPayload(encoding, data);
  }
}
