package io.vpngateway.gateway.net;

import io.vpngateway.api.pool.Addresses;
import io.vpngateway.api.pool.Ipv4Cidr;
import io.vpngateway.api.pool.PoolSpec;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the gateway's own network namespace needs for the tunnel to work.
 *
 * @param tunName the TUN interface
 * @param mtu the TUN MTU (the inner packet size the protocols can carry)
 * @param gatewayAddresses the gateway's address in each pool, as {@code a.b.c.d/prefix}; the kernel
 *     then routes each pool's subnet to the TUN
 * @param extraRoutes further networks to route into the TUN (usually none)
 * @param masquerade whether client traffic leaving by another interface is source-NATed to that
 *     interface's address (the pod address), so the cluster needs no route back to the pools
 * @param clientPools the client pools, the source addresses to masquerade
 * @param clientToClient whether the kernel may forward from the TUN back into the TUN
 */
public record TunnelNetworkPlan(
    String tunName,
    int mtu,
    List<String> gatewayAddresses,
    List<Ipv4Cidr> extraRoutes,
    boolean masquerade,
    List<Ipv4Cidr> clientPools,
    boolean clientToClient) {
  private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
  private static final Pattern ADDRESS_WITH_PREFIX =
      Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");

  public TunnelNetworkPlan {
    if (tunName == null || !IFNAME.matcher(tunName).matches()) {
      throw new IllegalArgumentException("invalid interface name: " + tunName);
    }
    if (mtu < 576 || mtu > 9000) {
      throw new IllegalArgumentException("TUN MTU must be 576..9000, was " + mtu);
    }
    for (String a : gatewayAddresses) {
      if (!ADDRESS_WITH_PREFIX.matcher(a).matches()) {
        throw new IllegalArgumentException("gateway address must look like 10.8.0.1/24: " + a);
      }
    }
    gatewayAddresses = List.copyOf(gatewayAddresses);
    extraRoutes = List.copyOf(extraRoutes);
    clientPools = List.copyOf(clientPools);
    if (masquerade && clientPools.isEmpty()) {
      throw new IllegalArgumentException("masquerade needs the client pools");
    }
  }

  /**
   * The usual plan: the gateway takes the first usable address of every pool on the TUN (so the
   * kernel routes each whole pool into it) and masquerades the pools when {@code masquerade}.
   */
  public static TunnelNetworkPlan forPools(
      String tunName, int mtu, List<PoolSpec> pools, boolean masquerade, boolean clientToClient) {
    return new TunnelNetworkPlan(
        tunName,
        mtu,
        pools.stream()
            .map(p -> Addresses.format(p.gatewayAddress()) + "/" + p.cidr().prefixLength())
            .toList(),
        List.of(),
        masquerade,
        pools.stream().map(PoolSpec::cidr).toList(),
        clientToClient);
  }
}
