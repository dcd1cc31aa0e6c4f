package io.vpngateway.gateway.dataplane;

/**
 * Tuning of the data plane.
 *
 * @param mtu the TUN MTU: the largest packet a worker reads
 * @param headroom bytes left free before each packet read from TUN, so a session can write its
 *     protocol header in front of the packet in place (e.g. OpenVPN opcode + packet id, ESP header)
 * @param tailroom bytes left free after the packet (e.g. for an AEAD tag)
 * @param clientToClient whether a client may send to another client's inner address; when on, such
 *     packets go straight to the other session without a trip through the kernel
 * @param pollMillis how long a worker waits for a packet before checking for a stop request
 */
public record DataPlaneOptions(
    int mtu, int headroom, int tailroom, boolean clientToClient, int pollMillis) {
  public DataPlaneOptions {
    if (mtu < 576 || mtu > 65535) {
      throw new IllegalArgumentException("mtu must be 576..65535, was " + mtu);
    }
    if (headroom < 0 || tailroom < 0 || headroom > 1024 || tailroom > 1024) {
      throw new IllegalArgumentException("headroom and tailroom must be 0..1024");
    }
    if (pollMillis < 1 || pollMillis > 5000) {
      throw new IllegalArgumentException("pollMillis must be 1..5000, was " + pollMillis);
    }
  }

  /** 1500-byte MTU, 64 bytes of headroom, 32 of tailroom, no client-to-client. */
  public static DataPlaneOptions defaults() {
    return new DataPlaneOptions(1500, 64, 32, false, 200);
  }

  public DataPlaneOptions withClientToClient(boolean enabled) {
    return new DataPlaneOptions(mtu, headroom, tailroom, enabled, pollMillis);
  }

  public DataPlaneOptions withMtu(int newMtu) {
    return new DataPlaneOptions(newMtu, headroom, tailroom, clientToClient, pollMillis);
  }
}
