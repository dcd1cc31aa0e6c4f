package io.vpngateway.gateway.dataplane;

/**
 * Tuning of the data plane.
 *
 * @param mtu the TUN MTU: the largest plain packet a worker reads
 * @param headroom bytes left free before each packet read from TUN, so a session can write its
 *     protocol header in front of the packet in place (e.g. OpenVPN opcode + packet id, ESP header)
 * @param tailroom bytes left free after the packet (e.g. for an AEAD tag)
 * @param clientToClient whether a client may send to another client's inner address; when on, such
 *     packets go straight to the other session without a trip through the kernel
 * @param segmentationOffload whether the TUN hands TCP super-packets of up to 64 KiB that the
 *     workers segment ({@code TunDevice.enableTcpSegmentationOffload}): the kernel's TCP stack
 *     then sends toward clients in 64 KiB units
 */
public record DataPlaneOptions(
    int mtu, int headroom, int tailroom, boolean clientToClient, boolean segmentationOffload) {
  public DataPlaneOptions {
    if (mtu < 576 || mtu > 65535) {
      throw new IllegalArgumentException("mtu must be 576..65535, was " + mtu);
    }
    if (headroom < 0 || tailroom < 0 || headroom > 1024 || tailroom > 1024) {
      throw new IllegalArgumentException("headroom and tailroom must be 0..1024");
    }
  }

  /**
   * 1500-byte MTU, 64 bytes of headroom, 32 of tailroom, no client-to-client, segmentation
   * offload on.
   */
  public static DataPlaneOptions defaults() {
    return new DataPlaneOptions(1500, 64, 32, false, true);
  }

  public DataPlaneOptions withClientToClient(boolean enabled) {
    return new DataPlaneOptions(mtu, headroom, tailroom, enabled, segmentationOffload);
  }

  public DataPlaneOptions withMtu(int newMtu) {
    return new DataPlaneOptions(newMtu, headroom, tailroom, clientToClient, segmentationOffload);
  }

  public DataPlaneOptions withSegmentationOffload(boolean enabled) {
    return new DataPlaneOptions(mtu, headroom, tailroom, clientToClient, enabled);
  }
}
