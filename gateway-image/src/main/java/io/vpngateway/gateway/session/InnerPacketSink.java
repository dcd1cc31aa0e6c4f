package io.vpngateway.gateway.session;

import java.nio.ByteBuffer;

/** Where a protocol session hands a decrypted inner IP packet: the TUN device. */
@FunctionalInterface
public interface InnerPacketSink {
  /**
   * Writes one IP packet (position to limit) from a direct buffer (the TUN device writes it by
   * address and refuses a heap buffer). The caller keeps ownership of the buffer: the sink must not
   * retain it after returning.
   */
  void write(ByteBuffer ipPacket);
}
