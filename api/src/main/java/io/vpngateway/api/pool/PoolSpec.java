package io.vpngateway.api.pool;

import io.vpngateway.api.v1alpha1.spec.AddressPool;
import java.util.List;

/**
 * One client address pool as the slicing logic sees it.
 *
 * @param cidr the pool's network; its first usable address is the gateway's own
 * @param groups the client groups it serves; empty for the default pool
 * @param priority higher wins when a client's groups match several pools
 */
public record PoolSpec(Ipv4Cidr cidr, List<String> groups, int priority) {
  public PoolSpec {
    groups = List.copyOf(groups);
  }

  public static PoolSpec of(String cidr, int priority, String... groups) {
    return new PoolSpec(Ipv4Cidr.parse(cidr), List.of(groups), priority);
  }

  /** From the CR type; a missing priority is 0. */
  public static PoolSpec from(AddressPool pool) {
    return new PoolSpec(
        Ipv4Cidr.parse(pool.cidr),
        pool.groups == null ? List.of() : pool.groups,
        pool.priority == null ? 0 : pool.priority);
  }

  public boolean isDefault() {
    return groups.isEmpty();
  }

  /** The gateway's address in this pool: the first usable one (network + 1). */
  public long gatewayAddress() {
    return cidr.first() + 1;
  }

  /** The addresses clients may get: all but network, gateway and broadcast. */
  public AddressRange clientRange() {
    return new AddressRange(cidr.first() + 2, cidr.last() - 1);
  }
}
