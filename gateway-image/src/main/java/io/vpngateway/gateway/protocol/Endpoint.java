package io.vpngateway.gateway.protocol;

import java.net.InetSocketAddress;

/**
 * An address a protocol server listens on.
 *
 * @param transport {@code udp} or {@code tcp}, with a qualifier where a protocol has several
 *     (e.g. {@code udp-natt})
 */
public record Endpoint(String transport, InetSocketAddress address) {
  @Override
  public String toString() {
    return transport + " " + address;
  }
}
