package io.vpngateway.gateway.load;

import java.nio.ByteBuffer;

/** A simulated client's path to the gateway: a UDP socket or a TCP connection. */
interface Wire {
  /** Sends one OpenVPN packet (position to limit); a failure is counted, never thrown. */
  void send(ByteBuffer packet);

  void close();
}
