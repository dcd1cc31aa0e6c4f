package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.exception.MalformedSstpException;

/**
 * Crypto Binding Request attribute (MS-SSTP section 2.2.6), sent by the server in Call Connect
 * Acknowledge: 3 reserved octets, the Hash Protocol Bitmask, a 32-octet nonce. Its value is
 * exactly 36 octets (sstpc 1.0.18 refuses any other length).
 */
public record SstpCryptoBindingRequest(int hashProtocolBitmask, byte[] nonce) {
  public static final int NONCE_LENGTH = 32;
  public static final int VALUE_LENGTH = 4 + NONCE_LENGTH;

  public SstpCryptoBindingRequest {
    if (nonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce of " + nonce.length + " octets");
    }
    nonce = nonce.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  public SstpAttribute toAttribute() {
    byte[] v = new byte[VALUE_LENGTH];
    v[3] = (byte) hashProtocolBitmask;
    System.arraycopy(nonce, 0, v, 4, NONCE_LENGTH);
    return new SstpAttribute(SstpAttribute.CRYPTO_BINDING_REQ, v);
  }

  public static SstpCryptoBindingRequest decode(SstpAttribute a) throws MalformedSstpException {
    byte[] v = a.value();
    if (a.id() != SstpAttribute.CRYPTO_BINDING_REQ || v.length != VALUE_LENGTH) {
      throw new MalformedSstpException("crypto binding request of " + v.length + " octets");
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    System.arraycopy(v, 4, nonce, 0, NONCE_LENGTH);
    return new SstpCryptoBindingRequest(v[3] & 0xff, nonce);
  }
}
