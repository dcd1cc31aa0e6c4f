package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * How {@code vpngw serve} runs the gateway, beyond the config document: things that belong to the
 * host (interface name, bind addresses, which replica this is), not to the VpnGateway.
 *
 * @param tunName the TUN interface to create
 * @param tunQueues TUN queues, one data-plane worker each
 * @param listenAddress the address the protocol servers bind (all addresses by default)
 * @param management where the management API listens; port 0 takes the document's port
 * @param replica which replica this process is
 * @param portOverrides ports replacing the document's {@code listen} ones, by its field name
 *     ({@code openvpnUdp}, {@code openvpnTcp}, {@code ike}, {@code ikeNatT}, {@code sstp}): tests on
 *     unprivileged ports; -1 turns that listener off
 * @param health where the probes-only listener binds; port 0 takes the document's {@code
 *     management.healthPort} (none when that is 0); null for no such listener (tests)
 */
public record GatewayOptions(
    String tunName,
    int tunQueues,
    InetAddress listenAddress,
    InetSocketAddress management,
    ReplicaIdentity replica,
    Map<String, Integer> portOverrides,
    InetSocketAddress health) {

  /** Without the probes-only listener. */
  public GatewayOptions(
      String tunName,
      int tunQueues,
      InetAddress listenAddress,
      InetSocketAddress management,
      ReplicaIdentity replica,
      Map<String, Integer> portOverrides) {
    this(tunName, tunQueues, listenAddress, management, replica, portOverrides, null);
  }

  /** The names {@link #portOverrides} accepts: the fields of the document's {@code listen}. */
  public static final Set<String> PORT_NAMES =
      Set.of("openvpnUdp", "openvpnTcp", "ike", "ikeNatT", "sstp");

  public GatewayOptions {
    portOverrides = portOverrides == null ? Map.of() : Map.copyOf(portOverrides);
    for (Map.Entry<String, Integer> e : portOverrides.entrySet()) {
      if (!PORT_NAMES.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "unknown port " + e.getKey() + " (one of " + PORT_NAMES + ")");
      }
      if (e.getValue() < -1 || e.getValue() > 65535) {
        throw new IllegalArgumentException(e.getKey() + " port must be -1..65535");
      }
    }
  }

  /** One queue per core (at most 4: beyond that the protocol threads are the bottleneck). */
  public static int defaultQueues() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /** The document's ports with the overrides applied. */
  public GatewayConfig.Listen listen(GatewayConfig.Listen document) {
    return new GatewayConfig.Listen(
        portOverrides.getOrDefault("openvpnUdp", document.openvpnUdp()),
        portOverrides.getOrDefault("openvpnTcp", document.openvpnTcp()),
        portOverrides.getOrDefault("ike", document.ike()),
        portOverrides.getOrDefault("ikeNatT", document.ikeNatT()),
        portOverrides.getOrDefault("sstp", document.sstp()));
  }
}
