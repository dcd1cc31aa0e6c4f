package io.vpngateway.gateway.runtime;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * How {@code vpngw serve} runs the gateway, beyond the config document: things that belong to the
 * host (interface name, bind addresses, which replica this is), not to the VpnGateway.
 *
 * @param tunName the TUN interface to create
 * @param tunQueues TUN queues, one data-plane worker each
 * @param listenAddress the address the protocol servers bind (all addresses by default)
 * @param management where the management API listens; port 0 takes the document's port
 * @param replica which replica this process is
 * @param openVpnPorts when not null, {udp, tcp} ports replacing the document's (tests on
 *     unprivileged ports); -1 disables that transport
 */
public record GatewayOptions(
    String tunName,
    int tunQueues,
    InetAddress listenAddress,
    InetSocketAddress management,
    ReplicaIdentity replica,
    int[] openVpnPorts) {

  /** One queue per core (at most 4: beyond that the protocol threads are the bottleneck). */
  public static int defaultQueues() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }
}
