package io.vpngateway.gateway.sstp.crypto;

/**
 * The hash protocols of the crypto binding (MS-SSTP section 2.2.6, Hash Protocol Bitmask): each
 * names the certificate hash and the HMAC of the Compound MAC (section 3.2.5.2.1).
 */
public enum SstpHashProtocol {
  /** CERT_HASH_PROTOCOL_SHA1: SHA-1 certificate hash, HMAC-SHA1-160 Compound MAC. */
  SHA1(0x01, "SHA-1", "HmacSHA1", 20),
  /** CERT_HASH_PROTOCOL_SHA256: SHA-256 certificate hash, HMAC-SHA256 Compound MAC. */
  SHA256(0x02, "SHA-256", "HmacSHA256", 32);

  private final int bit;
  private final String digest;
  private final String hmac;
  private final int length;

  SstpHashProtocol(int bit, String digest, String hmac, int length) {
    this.bit = bit;
    this.digest = digest;
    this.hmac = hmac;
    this.length = length;
  }

  /** The bit in the Hash Protocol Bitmask, also the single value a Crypto Binding carries. */
  public int bit() {
    return bit;
  }

  public String digestAlgorithm() {
    return digest;
  }

  public String hmacAlgorithm() {
    return hmac;
  }

  /** Length of the certificate hash and of the Compound MAC, in octets. */
  public int length() {
    return length;
  }

  /** The protocol a Crypto Binding names, or null for any other value. */
  public static SstpHashProtocol ofValue(int value) {
    for (SstpHashProtocol p : values()) {
      if (p.bit == value) {
        return p;
      }
    }
    return null;
  }
}
