package io.vpngateway.gateway.openvpn.crypto;

import io.vpngateway.api.openvpn.OpenVpnKeyFormatException;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.gateway.openvpn.exception.MalformedPacketException;
import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import java.nio.ByteBuffer;

/**
 * Server side of tls-crypt-v2 (openvpn {@code doc/tls-crypt-v2.txt}): a client's
 * P_CONTROL_HARD_RESET_CLIENT_V3 is a tls-crypt packet under the client key Kc followed by WKc,
 * whose last two bytes give its length. The server unwraps WKc with its server key, recovers Kc,
 * and then authenticates the packet with it. The session continues with plain tls-crypt under Kc.
 */
public final class TlsCryptV2Unwrapper {
  private final TlsCryptV2ServerKey serverKey;

  public TlsCryptV2Unwrapper(TlsCryptV2ServerKey serverKey) {
    this.serverKey = serverKey;
  }

  /** The authenticated first packet, the session's tls-crypt context and the WKc metadata. */
  public record Result(OpenVpnControlPacket packet, TlsCrypt tlsCrypt, TlsCryptV2Metadata metadata) {}

  /** Unwraps a complete V3 reset (position to limit). */
  public Result unwrap(ByteBuffer in) throws PacketAuthenticationException, MalformedPacketException {
    int end = in.limit();
    if (in.remaining() < TlsCrypt.OVERHEAD + 2) {
      throw new MalformedPacketException("tls-crypt-v2 packet too short");
    }
    int wkcLen = ((in.get(end - 2) & 0xff) << 8) | (in.get(end - 1) & 0xff);
    if (wkcLen > in.remaining() - TlsCrypt.OVERHEAD || wkcLen < 2) {
      throw new MalformedPacketException("WKc length out of range: " + wkcLen);
    }
    byte[] wkc = new byte[wkcLen];
    in.get(end - wkcLen, wkc);
    TlsCryptV2ServerKey.Unwrapped key;
    try {
      key = serverKey.unwrap(wkc);
    } catch (OpenVpnKeyFormatException e) {
      throw new PacketAuthenticationException("WKc rejected: " + e.getMessage());
    }
    TlsCrypt crypt = new TlsCrypt(key.clientKey());
    ByteBuffer inner = in.duplicate();
    inner.limit(end - wkcLen);
    OpenVpnControlPacket p = crypt.unwrap(inner);
    in.position(end);
    return new Result(p, crypt, key.metadata());
  }
}
