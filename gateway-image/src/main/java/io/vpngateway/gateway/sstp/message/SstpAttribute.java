package io.vpngateway.gateway.sstp.message;

/**
 * One attribute of a control message (MS-SSTP section 2.2.2): Reserved (1 octet), Attribute ID (1),
 * Length (12 bits, header included), value.
 *
 * @param id the Attribute ID ({@link #ENCAPSULATED_PROTOCOL_ID} ... {@link #CRYPTO_BINDING_REQ})
 * @param value the value octets (not copied: codecs hand out fresh arrays)
 * @param offset where the value starts in the packet it was decoded from (0 when built)
 */
public record SstpAttribute(int id, byte[] value, int offset) {
  /** SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID (section 2.2.4). */
  public static final int ENCAPSULATED_PROTOCOL_ID = 0x01;
  /** SSTP_ATTRIB_STATUS_INFO (section 2.2.5). */
  public static final int STATUS_INFO = 0x02;
  /** SSTP_ATTRIB_CRYPTO_BINDING (section 2.2.7). */
  public static final int CRYPTO_BINDING = 0x03;
  /** SSTP_ATTRIB_CRYPTO_BINDING_REQ (section 2.2.6). */
  public static final int CRYPTO_BINDING_REQ = 0x04;
  /** The only Protocol ID of the Encapsulated Protocol ID attribute: PPP. */
  public static final int PROTOCOL_PPP = 0x0001;

  public SstpAttribute(int id, byte[] value) {
    this(id, value, 0);
  }

  /** Encapsulated Protocol ID attribute naming PPP (section 2.2.4). */
  public static SstpAttribute encapsulatedPpp() {
    return new SstpAttribute(ENCAPSULATED_PROTOCOL_ID, new byte[] {0, PROTOCOL_PPP});
  }

  /**
   * Status Info attribute (section 2.2.5): which attribute the status is about, the status, and
   * the offending value (at most 64 octets of it are sent).
   */
  public static SstpAttribute statusInfo(int attributeId, SstpStatus status, byte[] attribValue) {
    int n = Math.min(64, attribValue.length);
    byte[] v = new byte[8 + n];
    v[3] = (byte) attributeId;
    v[7] = (byte) status.code();
    System.arraycopy(attribValue, 0, v, 8, n);
    return new SstpAttribute(STATUS_INFO, v);
  }
}
