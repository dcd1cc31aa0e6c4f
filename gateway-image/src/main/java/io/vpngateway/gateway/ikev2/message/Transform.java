package io.vpngateway.gateway.ikev2.message;

/**
 * One transform of a proposal, RFC 7296 §3.3.2, with its only defined attribute, the key length
 * (§3.3.5). IANA numbers of the types and of the IDs this gateway implements are constants here.
 *
 * @param type transform type: {@link #ENCR}, {@link #PRF}, {@link #INTEG}, {@link #DH}, {@link
 *     #ESN}
 * @param id the transform ID within its type
 * @param keyLength the Key Length attribute in bits, or {@link #NO_KEY_LENGTH}
 * @param unknownAttributes whether an attribute other than Key Length was present; RFC 7296 §3.3.6
 *     makes such a transform unacceptable, so selection skips it
 */
public record Transform(int type, int id, int keyLength, boolean unknownAttributes) {
  public static final int NO_KEY_LENGTH = -1;

  public static final int ENCR = 1;
  public static final int PRF = 2;
  public static final int INTEG = 3;
  public static final int DH = 4;
  public static final int ESN = 5;

  /** ENCR_AES_CBC, RFC 3602. */
  public static final int ENCR_AES_CBC = 12;
  /** ENCR_AES_GCM_16 (16-octet ICV), RFC 4106 (ESP) and RFC 5282 (IKE). */
  public static final int ENCR_AES_GCM_16 = 20;

  public static final int PRF_HMAC_SHA1 = 2;
  public static final int PRF_HMAC_SHA2_256 = 5;
  public static final int PRF_HMAC_SHA2_384 = 6;
  public static final int PRF_HMAC_SHA2_512 = 7;

  public static final int AUTH_NONE = 0;
  public static final int AUTH_HMAC_SHA1_96 = 2;
  public static final int AUTH_HMAC_SHA2_256_128 = 12;
  public static final int AUTH_HMAC_SHA2_384_192 = 13;
  public static final int AUTH_HMAC_SHA2_512_256 = 14;

  public static final int ESN_NO = 0;
  public static final int ESN_YES = 1;

  /** Attribute type Key Length (TV format), RFC 7296 §3.3.5. */
  public static final int ATTRIBUTE_KEY_LENGTH = 14;

  public Transform(int type, int id) {
    this(type, id, NO_KEY_LENGTH, false);
  }

  public Transform(int type, int id, int keyLength) {
    this(type, id, keyLength, false);
  }

  int bodyLength() {
    return 8 + (keyLength == NO_KEY_LENGTH ? 0 : 4);
  }

  /** Same algorithm (type, ID, key length), ignoring attribute flags. */
  public boolean sameAlgorithm(Transform other) {
    return type == other.type && id == other.id && keyLength == other.keyLength;
  }

  @Override
  public String toString() {
    String name =
        switch (type) {
          case ENCR -> "ENCR";
          case PRF -> "PRF";
          case INTEG -> "INTEG";
          case DH -> "DH";
          case ESN -> "ESN";
          default -> "T" + type;
        };
    return name + ":" + id + (keyLength == NO_KEY_LENGTH ? "" : "/" + keyLength);
  }
}
