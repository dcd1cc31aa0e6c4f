package io.vpngateway.gateway.session;

import java.nio.ByteBuffer;

/** Where a protocol session hands a decrypted inner IP packet: the TUN device. */
@FunctionalInterface
public interface InnerPacketSink {
  /**
   * Writes one IP packet (position to limit). The caller keeps ownership of the buffer: the sink
   * must not retain it after returning.
   */
  void write(ByteBuffer ipPacket);
}
