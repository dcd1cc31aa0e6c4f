package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.crypto.SstpHashProtocol;
import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import java.util.Arrays;

/**
 * Crypto Binding attribute (MS-SSTP section 2.2.7), sent by the client in Call Connected (section
 * 2.2.11): 3 reserved octets, the Hash Protocol (one bit of the bitmask), the server's nonce (32),
 * the server certificate's hash (32 octets; a SHA-1 hash is padded with zeros) and the Compound
 * MAC (32; padded likewise). The value is exactly 100 octets (attribute length 104).
 *
 * @param compoundMacOffset where the Compound MAC field starts in the packet it came from, so the
 *     checker can zero it there (section 3.2.5.2.1)
 */
public record SstpCryptoBinding(
    SstpHashProtocol hashProtocol,
    byte[] nonce,
    byte[] certificateHash,
    byte[] compoundMac,
    int compoundMacOffset) {
  public static final int VALUE_LENGTH = 100;
  public static final int MAC_FIELD_LENGTH = 32;
  private static final int CERT_HASH_AT = 36;
  private static final int MAC_AT = 68;

  /** Decodes the attribute; hash and MAC are cut to the length of the named protocol. */
  public static SstpCryptoBinding decode(SstpAttribute a) throws MalformedSstpException {
    byte[] v = a.value();
    if (a.id() != SstpAttribute.CRYPTO_BINDING || v.length != VALUE_LENGTH) {
      throw new MalformedSstpException("crypto binding of " + v.length + " octets");
    }
    SstpHashProtocol protocol = SstpHashProtocol.ofValue(v[3] & 0xff);
    if (protocol == null) {
      throw new MalformedSstpException("crypto binding hash protocol " + (v[3] & 0xff));
    }
    return new SstpCryptoBinding(
        protocol,
        Arrays.copyOfRange(v, 4, 4 + SstpCryptoBindingRequest.NONCE_LENGTH),
        Arrays.copyOfRange(v, CERT_HASH_AT, CERT_HASH_AT + protocol.length()),
        Arrays.copyOfRange(v, MAC_AT, MAC_AT + protocol.length()),
        a.offset() + MAC_AT);
  }

  /**
   * The attribute a client sends, with the Compound MAC field zeroed (the MAC is computed over the
   * whole message and written at {@link #MAC_OFFSET_IN_CALL_CONNECTED} afterwards).
   */
  public static SstpAttribute unsignedAttribute(
      SstpHashProtocol protocol, byte[] nonce, byte[] certificateHash) {
    byte[] v = new byte[VALUE_LENGTH];
    v[3] = (byte) protocol.bit();
    System.arraycopy(nonce, 0, v, 4, SstpCryptoBindingRequest.NONCE_LENGTH);
    System.arraycopy(certificateHash, 0, v, CERT_HASH_AT, certificateHash.length);
    return new SstpAttribute(SstpAttribute.CRYPTO_BINDING, v);
  }

  /** Offset of the Compound MAC in a Call Connected packet that carries only this attribute. */
  public static final int MAC_OFFSET_IN_CALL_CONNECTED = 12 + MAC_AT;
}
