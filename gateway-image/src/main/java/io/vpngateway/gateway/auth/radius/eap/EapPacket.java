package io.vpngateway.gateway.auth.radius.eap;

import java.util.Optional;

/**
 * The EAP header (RFC 3748 section 4): Code, Identifier, Length, then Type and data for Request
 * and Response. The relay only reads the header; methods (MSCHAPv2, TLS) are the server's business.
 */
public final class EapPacket {
  public static final int REQUEST = 1;
  public static final int RESPONSE = 2;
  public static final int SUCCESS = 3;
  public static final int FAILURE = 4;

  public static final int TYPE_IDENTITY = 1;
  public static final int TYPE_TLS = 13;
  public static final int TYPE_MSCHAPV2 = 26;

  private EapPacket() {}

  /** Whether {@code p} is one whole EAP packet: a known code and a Length equal to its size. */
  public static boolean wellFormed(byte[] p) {
    if (p == null || p.length < 4) {
      return false;
    }
    int code = p[0] & 0xff;
    int length = ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    if (code < REQUEST || code > FAILURE || length != p.length) {
      return false;
    }
    return code >= SUCCESS ? length == 4 : length >= 5;
  }

  public static int code(byte[] p) {
    return p[0] & 0xff;
  }

  public static int identifier(byte[] p) {
    return p[1] & 0xff;
  }

  /** The Type of a Request or Response. */
  public static Optional<Integer> type(byte[] p) {
    return p.length >= 5 && code(p) <= RESPONSE ? Optional.of(p[4] & 0xff) : Optional.empty();
  }

  /** An EAP-Success or EAP-Failure with {@code identifier} (RFC 3748 section 4.2). */
  public static byte[] result(int code, int identifier) {
    return new byte[] {(byte) code, (byte) identifier, 0, 4};
  }

  /** An EAP-Response/Identity (RFC 3748 section 5.1), as a peer sends it first. */
  public static byte[] identityResponse(int identifier, String identity) {
    byte[] name = identity.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] p = new byte[5 + name.length];
    p[0] = RESPONSE;
    p[1] = (byte) identifier;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[4] = TYPE_IDENTITY;
    System.arraycopy(name, 0, p, 5, name.length);
    return p;
  }
}
