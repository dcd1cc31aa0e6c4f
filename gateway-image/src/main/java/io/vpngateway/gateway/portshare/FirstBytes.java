package io.vpngateway.gateway.portshare;

import java.nio.ByteBuffer;

/**
 * Recognisers for the first bytes of the protocols that share TCP 443. They are disjoint: a TLS
 * record starts {@code 0x16 0x03}, which as OpenVPN's 2-byte length would be 5635, far above any
 * control packet.
 */
public final class FirstBytes {
  /** OpenVPN's P_CONTROL_HARD_RESET_CLIENT_V2 and _V3 opcodes (openvpn {@code ssl_pkt.h}). */
  private static final int HARD_RESET_CLIENT_V2 = 7;

  private static final int HARD_RESET_CLIENT_V3 = 10;

  /** Smallest client hard reset: opcode, session id, ack count, packet id (plain). */
  private static final int MIN_OPENVPN_RESET = 1 + 8 + 1 + 4;

  /** Largest: a tls-crypt-v2 reset with its wrapped client key (1600 + 1024). */
  private static final int MAX_OPENVPN_RESET = 2624;

  private FirstBytes() {}

  /**
   * OpenVPN over TCP (openvpn's stream framing): a 2-byte big-endian length, then the first
   * packet, which must be a client hard reset (V2, or V3 for tls-crypt-v2) with key id 0. The
   * opcode byte is in clear under tls-crypt too.
   */
  public static TcpProtocolHandler.Match openVpnClientReset(ByteBuffer b) {
    int p = b.position();
    if (b.remaining() < 3) {
      return b.remaining() >= 2 && !plausibleOpenVpnLength(b.getShort(p) & 0xffff)
          ? TcpProtocolHandler.Match.NO
          : TcpProtocolHandler.Match.NEED_MORE;
    }
    int length = b.getShort(p) & 0xffff;
    int opcodeByte = b.get(p + 2) & 0xff;
    int opcode = opcodeByte >>> 3;
    boolean reset = opcode == HARD_RESET_CLIENT_V2 || opcode == HARD_RESET_CLIENT_V3;
    return plausibleOpenVpnLength(length) && reset && (opcodeByte & 7) == 0
        ? TcpProtocolHandler.Match.YES
        : TcpProtocolHandler.Match.NO;
  }

  private static boolean plausibleOpenVpnLength(int length) {
    return length >= MIN_OPENVPN_RESET && length <= MAX_OPENVPN_RESET;
  }

  /**
   * A TLS connection (RFC 8446 §5.1, RFC 5246 §6.2): the first record is a handshake record
   * (content type 22) with a legacy version 3.x, as every ClientHello from SSL 3.0 to TLS 1.3
   * sends; then a handshake message of type ClientHello (1).
   */
  public static TcpProtocolHandler.Match tlsClientHello(ByteBuffer b) {
    int p = b.position();
    int n = b.remaining();
    if (n >= 1 && (b.get(p) & 0xff) != 0x16) {
      return TcpProtocolHandler.Match.NO;
    }
    if (n >= 2 && (b.get(p + 1) & 0xff) != 0x03) {
      return TcpProtocolHandler.Match.NO;
    }
    if (n >= 3 && (b.get(p + 2) & 0xff) > 0x04) {
      return TcpProtocolHandler.Match.NO;
    }
    if (n < 6) {
      return TcpProtocolHandler.Match.NEED_MORE;
    }
    return (b.get(p + 5) & 0xff) == 1 ? TcpProtocolHandler.Match.YES : TcpProtocolHandler.Match.NO;
  }
}
