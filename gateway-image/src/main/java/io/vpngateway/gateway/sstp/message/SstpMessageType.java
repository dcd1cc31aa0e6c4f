package io.vpngateway.gateway.sstp.message;

/** The Message Type of an SSTP control packet (MS-SSTP section 2.2.2). */
public enum SstpMessageType {
  CALL_CONNECT_REQUEST(0x0001),
  CALL_CONNECT_ACK(0x0002),
  CALL_CONNECT_NAK(0x0003),
  CALL_CONNECTED(0x0004),
  CALL_ABORT(0x0005),
  CALL_DISCONNECT(0x0006),
  CALL_DISCONNECT_ACK(0x0007),
  ECHO_REQUEST(0x0008),
  ECHO_RESPONSE(0x0009);

  private final int code;

  SstpMessageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with {@code code}, or null for an unknown one. */
  public static SstpMessageType ofCode(int code) {
    for (SstpMessageType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
