package io.vpngateway.gateway.ippool;

import java.net.Inet4Address;

/**
 * An address handed to one client. Release it exactly once when the session ends.
 *
 * @param address the client's inner address
 * @param prefixLength the prefix of the pool it came from (topology subnet)
 * @param gateway the gateway's own address in that pool (first usable address)
 */
public record AddressLease(
    Inet4Address address, int prefixLength, Inet4Address gateway, Runnable releaser) {
  public void release() {
    releaser.run();
  }
}
