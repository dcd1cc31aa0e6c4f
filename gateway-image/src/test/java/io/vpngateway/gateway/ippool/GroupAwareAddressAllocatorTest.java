package io.vpngateway.gateway.ippool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pool.InvalidPoolsException;
import io.vpngateway.api.pool.PoolSpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ServerAssignment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GroupAwareAddressAllocatorTest {
  private static final List<PoolSpec> POOLS =
      List.of(
          PoolSpec.of("10.10.0.0/24", 0),
          PoolSpec.of("10.20.0.0/24", 10, "eng", "ops"),
          PoolSpec.of("10.30.0.0/24", 20, "admins"),
          PoolSpec.of("10.40.0.0/24", 10, "eng", "contractors"));

  private static ClientIdentity client(String... groups) {
    return ClientIdentity.of("alice", List.of(groups), AuthMethod.CERTIFICATE, "test");
  }

  static Stream<Arguments> groupChoices() {
    return Stream.of(
        Arguments.of(List.of(), "10.10.0.0/24"),
        Arguments.of(List.of("unknown"), "10.10.0.0/24"),
        Arguments.of(List.of("ops"), "10.20.0.0/24"),
        Arguments.of(List.of("contractors"), "10.40.0.0/24"),
        Arguments.of(List.of("eng"), "10.20.0.0/24"), // tie on priority: first listed
        Arguments.of(List.of("eng", "admins"), "10.30.0.0/24"), // highest priority wins
        Arguments.of(List.of("ENG"), "10.10.0.0/24")); // exact match only
  }

  @ParameterizedTest(name = "groups {0} -> {1}")
  @MethodSource("groupChoices")
  void picksTheHighestPriorityMatchingPoolElseTheDefault(List<String> groups, String expected) {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(POOLS, List.of(VpnProtocol.OpenVPN), 1, 0);
    AddressLease lease =
        alloc.allocate(client(groups.toArray(String[]::new)), VpnProtocol.OpenVPN).orElseThrow();
    String prefix = expected.substring(0, expected.lastIndexOf('.') + 1);
    assertTrue(lease.address().getHostAddress().startsWith(prefix), lease.toString());
    assertEquals(24, lease.prefixLength());
    assertEquals(prefix + "1", lease.gateway().getHostAddress());
  }

  private static ClientIdentity assigned(String address, String... groups) throws Exception {
    return client(groups)
        .withAssignment(
            new ServerAssignment(
                Optional.of((Inet4Address) InetAddress.getByName(address)), List.of()));
  }

  @Test
  void anAssignedAddressIsHonouredOnlyInsideTheChosenPoolAndWhenFree() throws Exception {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(POOLS, List.of(VpnProtocol.OpenVPN), 1, 0);
    AddressLease framed = alloc.allocate(assigned("10.20.0.77", "eng"), VpnProtocol.OpenVPN)
        .orElseThrow();
    assertEquals("10.20.0.77", framed.address().getHostAddress());

    AddressLease taken = alloc.allocate(assigned("10.20.0.77", "eng"), VpnProtocol.OpenVPN)
        .orElseThrow();
    assertNotEquals("10.20.0.77", taken.address().getHostAddress(), "in use: another address");
    assertTrue(taken.address().getHostAddress().startsWith("10.20.0."), taken.toString());

    AddressLease otherPool = alloc.allocate(assigned("10.30.0.9", "eng"), VpnProtocol.OpenVPN)
        .orElseThrow();
    assertTrue(otherPool.address().getHostAddress().startsWith("10.20.0."),
        "never another pool's subnet: " + otherPool);
    for (String special : List.of("10.20.0.1", "10.20.0.0", "10.20.0.255")) {
      AddressLease l = alloc.allocate(assigned(special, "eng"), VpnProtocol.OpenVPN).orElseThrow();
      assertNotEquals(special, l.address().getHostAddress(), "gateway, network, broadcast");
    }

    framed.release();
    assertEquals("10.20.0.77", alloc.allocate(assigned("10.20.0.77", "eng"), VpnProtocol.OpenVPN)
        .orElseThrow().address().getHostAddress(), "free again");
  }

  @Test
  void exhaustionGivesEmptyAndReleaseMakesTheAddressReusable() {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(
            List.of(PoolSpec.of("10.50.0.0/29", 0)), List.of(VpnProtocol.IKEv2), 1, 0);
    List<AddressLease> leases = new ArrayList<>();
    Optional<AddressLease> next;
    while ((next = alloc.allocate(client(), VpnProtocol.IKEv2)).isPresent()) {
      leases.add(next.get());
    }
    // /29: 8 addresses minus network, gateway, broadcast
    assertEquals(5, leases.size());
    Set<String> distinct = new HashSet<>();
    leases.forEach(l -> distinct.add(l.address().getHostAddress()));
    assertEquals(5, distinct.size());
    assertTrue(alloc.allocate(client(), VpnProtocol.IKEv2).isEmpty());

    AddressLease freed = leases.get(2);
    freed.release();
    freed.release(); // idempotent
    AddressLease again = alloc.allocate(client(), VpnProtocol.IKEv2).orElseThrow();
    assertEquals(freed.address(), again.address());
    assertTrue(alloc.allocate(client(), VpnProtocol.IKEv2).isEmpty());
  }

  @Test
  void nextFitDoesNotReuseAJustReleasedAddressWhileOthersAreFree() {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(
            List.of(PoolSpec.of("10.50.0.0/24", 0)), List.of(VpnProtocol.IKEv2), 1, 0);
    AddressLease first = alloc.allocate(client(), VpnProtocol.IKEv2).orElseThrow();
    first.release();
    assertNotEquals(
        first.address(), alloc.allocate(client(), VpnProtocol.IKEv2).orElseThrow().address());
  }

  @Test
  void protocolsAndReplicasDrawFromDisjointSlices() {
    List<VpnProtocol> protocols = List.of(VpnProtocol.OpenVPN, VpnProtocol.IKEv2, VpnProtocol.SSTP);
    List<PoolSpec> pools = List.of(PoolSpec.of("10.60.0.0/26", 0));
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (int ordinal = 0; ordinal < 2; ordinal++) {
      GroupAwareAddressAllocator alloc =
          GroupAwareAddressAllocator.forReplica(pools, protocols, 2, ordinal);
      for (VpnProtocol p : VpnProtocol.values()) {
        Optional<AddressLease> l;
        while ((l = alloc.allocate(client(), p)).isPresent()) {
          assertTrue(seen.add(l.get().address().getHostAddress()), "duplicate " + l.get());
          total++;
        }
      }
    }
    assertEquals(64 - 3, total, "every client address used exactly once");
  }

  @Test
  void aProtocolWithoutSlicesGetsNothing() {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(POOLS, List.of(VpnProtocol.OpenVPN), 1, 0);
    assertTrue(alloc.allocate(client(), VpnProtocol.SSTP).isEmpty());
  }

  @Test
  void noDefaultPoolMeansUnmatchedClientsGetNothing() {
    GroupAwareAddressAllocator alloc =
        GroupAwareAddressAllocator.forReplica(
            List.of(PoolSpec.of("10.70.0.0/24", 0, "eng")), List.of(VpnProtocol.OpenVPN), 1, 0);
    assertTrue(alloc.allocate(client("sales"), VpnProtocol.OpenVPN).isEmpty());
    assertTrue(alloc.allocate(client("eng"), VpnProtocol.OpenVPN).isPresent());
  }

  @Test
  void overlappingPoolsAreRejected() {
    InvalidPoolsException e =
        assertThrows(
            InvalidPoolsException.class,
            () ->
                GroupAwareAddressAllocator.forReplica(
                    List.of(PoolSpec.of("10.80.0.0/16", 0), PoolSpec.of("10.80.4.0/22", 5, "eng")),
                    List.of(VpnProtocol.OpenVPN),
                    1,
                    0));
    assertEquals(List.of("pools 10.80.0.0/16 and 10.80.4.0/22 overlap"), e.problems());
  }
}
