package io.vpngateway.gateway.openvpn.message;

/**
 * Packet opcodes: the high five bits of an OpenVPN packet's first byte; the low three bits are the
 * key id. Values from openvpn {@code ssl_pkt.h} and the protocol description used by MirageVPN
 * ("OpenVPN protocol", section "Packet format").
 */
public enum OpenVpnOpcode {
  P_CONTROL_HARD_RESET_CLIENT_V1(1),
  P_CONTROL_HARD_RESET_SERVER_V1(2),
  P_CONTROL_SOFT_RESET_V1(3),
  P_CONTROL_V1(4),
  P_ACK_V1(5),
  P_DATA_V1(6),
  P_CONTROL_HARD_RESET_CLIENT_V2(7),
  P_CONTROL_HARD_RESET_SERVER_V2(8),
  P_DATA_V2(9),
  P_CONTROL_HARD_RESET_CLIENT_V3(10),
  P_CONTROL_WKC_V1(11);

  private static final OpenVpnOpcode[] BY_CODE = new OpenVpnOpcode[32];

  static {
    for (OpenVpnOpcode op : values()) {
      BY_CODE[op.code] = op;
    }
  }

  private final int code;

  OpenVpnOpcode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The first byte of a packet with this opcode and {@code keyId} (0-7). */
  public byte headerByte(int keyId) {
    return (byte) ((code << 3) | (keyId & 7));
  }

  /** The opcode of a packet's first byte, or null when the value is unassigned. */
  public static OpenVpnOpcode ofHeaderByte(int firstByte) {
    return BY_CODE[(firstByte & 0xff) >>> 3];
  }

  public static int keyIdOf(int firstByte) {
    return firstByte & 7;
  }

  public boolean isData() {
    return this == P_DATA_V1 || this == P_DATA_V2;
  }

  /** Control packets carry a reliable message id; acks do not. */
  public boolean hasMessageId() {
    return !isData() && this != P_ACK_V1;
  }

  public boolean isClientHardReset() {
    return this == P_CONTROL_HARD_RESET_CLIENT_V2 || this == P_CONTROL_HARD_RESET_CLIENT_V3;
  }
}
