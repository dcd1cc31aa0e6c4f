package io.vpngateway.api.pool;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

/**
 * Splits client address pools between active-active replicas and protocols, so that no two sessions
 * anywhere in the gateway can get the same address without any coordination at run time.
 *
 * <p>Each pool's client range (all addresses but network, gateway and broadcast) is cut into {@code
 * replicas × protocols} contiguous parts of nearly equal size (sizes differ by at most one). Part
 * {@code ordinal × protocols + protocolIndex} belongs to replica {@code ordinal} (its StatefulSet
 * ordinal) and to the protocol at {@code protocolIndex} in the fixed order OpenVPN, IKEv2, SSTP,
 * counting only the enabled ones. Both the operator and every gateway replica compute the same
 * split from the same spec: it is a pure function.
 */
public final class PoolSlicer {
  private PoolSlicer() {}

  /**
   * Checks the pools on their own: parseable, at most one default, no two overlapping, each big
   * enough to hold a gateway address and at least one client.
   *
   * @throws InvalidPoolsException listing every problem found
   */
  public static void validate(List<PoolSpec> pools) {
    List<String> problems = new ArrayList<>();
    if (pools.isEmpty()) {
      problems.add("at least one pool is required");
    }
    long defaults = pools.stream().filter(PoolSpec::isDefault).count();
    if (defaults > 1) {
      problems.add(defaults + " pools have no groups; only one default pool is allowed");
    }
    for (int i = 0; i < pools.size(); i++) {
      PoolSpec a = pools.get(i);
      if (a.cidr().prefixLength() > 30) {
        problems.add(
            "pool "
                + a.cidr()
                + " is too small: use /30 or larger (network, gateway,"
                + " client and broadcast addresses)");
      }
      if (a.priority() < 0) {
        problems.add("pool " + a.cidr() + " has negative priority " + a.priority());
      }
      for (int j = i + 1; j < pools.size(); j++) {
        PoolSpec b = pools.get(j);
        if (a.cidr().overlaps(b.cidr())) {
          problems.add("pools " + a.cidr() + " and " + b.cidr() + " overlap");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPoolsException(problems);
    }
  }

  /**
   * The slices of replica {@code ordinal}: one per pool and enabled protocol, in pool order then
   * protocol order. Validates the pools first.
   *
   * @throws InvalidPoolsException when the pools are invalid or a pool has fewer client addresses
   *     than {@code replicas × protocols}
   */
  public static List<PoolSlice> slicesFor(
      List<PoolSpec> pools, Collection<VpnProtocol> enabledProtocols, int replicas, int ordinal) {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
    }
    if (ordinal < 0 || ordinal >= replicas) {
      throw new IllegalArgumentException(
          "replica ordinal " + ordinal + " is outside 0.." + (replicas - 1));
    }
    List<VpnProtocol> protocols = canonicalOrder(enabledProtocols);
    validate(pools);
    int parts = replicas * protocols.size();
    List<String> problems = new ArrayList<>();
    List<PoolSlice> slices = new ArrayList<>();
    for (PoolSpec pool : pools) {
      AddressRange clients = pool.clientRange();
      if (clients.size() < parts) {
        problems.add(
            "pool "
                + pool.cidr()
                + " has "
                + clients.size()
                + " client addresses, fewer"
                + " than "
                + replicas
                + " replicas x "
                + protocols.size()
                + " protocols");
        continue;
      }
      for (int p = 0; p < protocols.size(); p++) {
        slices.add(
            new PoolSlice(
                pool, protocols.get(p), part(clients, parts, ordinal * protocols.size() + p)));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPoolsException(problems);
    }
    return slices;
  }

  /** Part {@code index} of {@code parts} near-equal contiguous parts of {@code range}. */
  static AddressRange part(AddressRange range, int parts, int index) {
    long size = range.size();
    long start = range.first() + size * index / parts;
    long end = range.first() + size * (index + 1) / parts - 1;
    return new AddressRange(start, end);
  }

  /** The enabled protocols in the fixed slicing order (declaration order of the enum). */
  public static List<VpnProtocol> canonicalOrder(Collection<VpnProtocol> enabledProtocols) {
    if (enabledProtocols.isEmpty()) {
      throw new IllegalArgumentException("at least one protocol must be enabled");
    }
    return List.copyOf(EnumSet.copyOf(enabledProtocols));
  }
}
