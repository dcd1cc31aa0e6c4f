package io.vpngateway.gateway.ippool;

import io.vpngateway.api.pool.PoolSlice;
import io.vpngateway.api.pool.PoolSlicer;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.ClientIdentity;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link AddressAllocator} of one replica: hands out addresses from this replica's slices of
 * the group-aware pools (see {@link PoolSlicer}).
 *
 * <p>Pool choice: among the pools whose groups include one of the client's groups, the one with the
 * highest priority (on a tie, the first listed); when none matches, the default pool (the one
 * without groups). Group names match exactly. The chosen pool being exhausted yields empty: a
 * client is never moved to another pool, whose subnet may be subject to different network policy.
 *
 * <p>An address the authenticating server assigned ({@link
 * io.vpngateway.gateway.auth.ServerAssignment}, RADIUS Framed-IP-Address) is handed out when it
 * lies in this replica's slice of the chosen pool and is free; otherwise it is ignored (logged)
 * and the next free address of the pool is used.
 */
public final class GroupAwareAddressAllocator implements AddressAllocator {
  private static final System.Logger LOG =
      System.getLogger(GroupAwareAddressAllocator.class.getName());
  private final Map<VpnProtocol, List<Candidate>> candidatesByProtocol = new EnumMap<>(VpnProtocol.class);

  private record Candidate(PoolSpec pool, SliceAllocator slice, Inet4Address gateway) {}

  /** From this replica's slices (e.g. {@link PoolSlicer#slicesFor}). */
  public GroupAwareAddressAllocator(Collection<PoolSlice> slices) {
    for (PoolSlice slice : slices) {
      VpnProtocol protocol = slice.protocol();
      candidatesByProtocol
          .computeIfAbsent(protocol, p -> new ArrayList<>())
          .add(
              new Candidate(
                  slice.pool(),
                  new SliceAllocator(slice.range()),
                  toInet(slice.pool().gatewayAddress())));
    }
    // a stable sort keeps list order among equal priorities
    candidatesByProtocol
        .values()
        .forEach(
            list ->
                list.sort(
                    Comparator.comparingInt((Candidate c) -> c.pool().priority()).reversed()));
  }

  /** Validates {@code pools}, slices them for this replica and builds the allocator. */
  public static GroupAwareAddressAllocator forReplica(
      List<PoolSpec> pools, Collection<VpnProtocol> enabledProtocols, int replicas, int ordinal) {
    return new GroupAwareAddressAllocator(
        PoolSlicer.slicesFor(pools, enabledProtocols, replicas, ordinal));
  }

  @Override
  public Optional<AddressLease> allocate(ClientIdentity client, VpnProtocol protocol) {
    Candidate chosen = choose(client, protocol);
    if (chosen == null) {
      return Optional.empty();
    }
    long address = -1;
    Optional<Inet4Address> assigned = client.assigned().framedAddress();
    if (assigned.isPresent()) {
      // RADIUS Framed-IP-Address: honoured only inside the pool the groups chose (this
      // replica's slice of it), never a way to pick another pool's subnet
      address = chosen.slice().allocate(toLong(assigned.get()));
      if (address < 0) {
        LOG.log(System.Logger.Level.INFO,
            "{0}: assigned address {1} not used (outside pool {2} of this replica, or in use);"
                + " a pool address instead",
            client.name(), assigned.get().getHostAddress(), chosen.pool().cidr());
      }
    }
    if (address < 0) {
      address = chosen.slice().allocate();
    }
    if (address < 0) {
      return Optional.empty();
    }
    long leased = address;
    AtomicBoolean released = new AtomicBoolean();
    SliceAllocator slice = chosen.slice();
    Runnable releaser =
        () -> {
          // release is idempotent so that two shutdown paths of one session cannot free a reused
          // address
          if (released.compareAndSet(false, true)) {
            slice.release(leased);
          }
        };
    return Optional.of(
        new AddressLease(
            toInet(leased), chosen.pool().cidr().prefixLength(), chosen.gateway(), releaser));
  }

  /** The pool a client of {@code protocol} would get an address from, if any. */
  public Optional<PoolSpec> poolFor(ClientIdentity client, VpnProtocol protocol) {
    return Optional.ofNullable(choose(client, protocol)).map(Candidate::pool);
  }

  private Candidate choose(ClientIdentity client, VpnProtocol protocol) {
    List<Candidate> candidates = candidatesByProtocol.getOrDefault(protocol, List.of());
    Candidate fallback = null;
    for (Candidate c : candidates) {
      if (c.pool().isDefault()) {
        if (fallback == null) {
          fallback = c;
        }
      } else if (c.pool().groups().stream().anyMatch(client.groups()::contains)) {
        return c; // sorted by priority, so the first match is the best
      }
    }
    return fallback;
  }

  /** Addresses in use per pool CIDR, over all protocols (for metrics). */
  public Map<String, Integer> inUseByPool() {
    Map<String, Integer> inUse = new java.util.TreeMap<>();
    candidatesByProtocol
        .values()
        .forEach(
            list ->
                list.forEach(
                    c -> inUse.merge(c.pool().cidr().toString(), c.slice().inUse(), Integer::sum)));
    return inUse;
  }

  static long toLong(Inet4Address address) {
    byte[] b = address.getAddress();
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }

  static Inet4Address toInet(long address) {
    byte[] b = {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }
}
