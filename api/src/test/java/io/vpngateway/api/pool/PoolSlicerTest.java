package io.vpngateway.api.pool;

import static io.vpngateway.api.v1alpha1.spec.VpnProtocol.IKEv2;
import static io.vpngateway.api.v1alpha1.spec.VpnProtocol.OpenVPN;
import static io.vpngateway.api.v1alpha1.spec.VpnProtocol.SSTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.AddressPool;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PoolSlicerTest {
  static Stream<Arguments> layouts() {
    return Stream.of(
        Arguments.of("10.8.0.0/24", 1, Set.of(OpenVPN)),
        Arguments.of("10.8.0.0/24", 3, Set.of(OpenVPN, IKEv2, SSTP)),
        Arguments.of("10.8.0.0/28", 2, Set.of(SSTP, OpenVPN)),
        Arguments.of("10.8.0.0/30", 1, Set.of(IKEv2)),
        Arguments.of("172.16.0.0/12", 5, Set.of(OpenVPN, IKEv2)),
        Arguments.of("192.168.128.0/17", 7, Set.of(OpenVPN, IKEv2, SSTP)));
  }

  @ParameterizedTest(name = "{0} over {1} replicas and {2}")
  @MethodSource("layouts")
  void slicesOfAllReplicasAreDisjointAndCoverTheClientRange(
      String cidr, int replicas, Set<VpnProtocol> protocols) {
    PoolSpec pool = PoolSpec.of(cidr, 0);
    List<AddressRange> all = new ArrayList<>();
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      List<PoolSlice> mine = PoolSlicer.slicesFor(List.of(pool), protocols, replicas, ordinal);
      assertEquals(protocols.size(), mine.size());
      mine.forEach(s -> all.add(s.range()));
    }
    all.sort(Comparator.comparingLong(AddressRange::first));
    // contiguous, non-overlapping, non-empty, from first client address to last
    assertEquals(pool.clientRange().first(), all.get(0).first());
    assertEquals(pool.clientRange().last(), all.get(all.size() - 1).last());
    for (int i = 0; i < all.size(); i++) {
      assertFalse(all.get(i).isEmpty(), "slice " + i + " empty");
      if (i > 0) {
        assertEquals(all.get(i - 1).last() + 1, all.get(i).first(), "gap or overlap at " + i);
      }
    }
    long min = all.stream().mapToLong(AddressRange::size).min().orElseThrow();
    long max = all.stream().mapToLong(AddressRange::size).max().orElseThrow();
    assertTrue(max - min <= 1, "near-equal sizes: " + min + ".." + max);
    // the gateway address is never handed to a client
    assertTrue(all.stream().noneMatch(r -> r.contains(pool.gatewayAddress())));
  }

  @Test
  void protocolOrderIsFixedWhateverTheListOrder() {
    PoolSpec pool = PoolSpec.of("10.9.0.0/24", 0);
    List<PoolSlice> a = PoolSlicer.slicesFor(List.of(pool), List.of(SSTP, OpenVPN), 2, 1);
    List<PoolSlice> b = PoolSlicer.slicesFor(List.of(pool), List.of(OpenVPN, SSTP), 2, 1);
    assertEquals(a, b);
    assertEquals(OpenVPN, a.get(0).protocol());
    // 253 client addresses (.2-.254) in 4 parts: replica 1 gets parts 2 and 3
    assertEquals("10.9.0.128-10.9.0.190", a.get(0).range().toString());
    assertEquals("10.9.0.191-10.9.0.254", a.get(1).range().toString());
  }

  static Stream<Arguments> invalidPools() {
    return Stream.of(
        Arguments.of(
            List.of(PoolSpec.of("10.0.0.0/16", 0), PoolSpec.of("10.0.5.0/24", 1, "eng")),
            "pools 10.0.0.0/16 and 10.0.5.0/24 overlap"),
        Arguments.of(
            List.of(PoolSpec.of("10.0.0.0/24", 0), PoolSpec.of("10.1.0.0/24", 0)),
            "only one default pool"),
        Arguments.of(List.of(PoolSpec.of("10.0.0.0/31", 0)), "too small"),
        Arguments.of(List.of(), "at least one pool"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidPools")
  void invalidPoolListsAreRejectedWithTheReason(List<PoolSpec> pools, String reason) {
    InvalidPoolsException e =
        assertThrows(
            InvalidPoolsException.class, () -> PoolSlicer.slicesFor(pools, List.of(OpenVPN), 1, 0));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void poolTooSmallForTheReplicasIsRejected() {
    InvalidPoolsException e =
        assertThrows(
            InvalidPoolsException.class,
            () ->
                PoolSlicer.slicesFor(
                    List.of(PoolSpec.of("10.0.0.0/29", 0)), List.of(OpenVPN, IKEv2, SSTP), 2, 0));
    assertTrue(e.getMessage().contains("has 5 client addresses"), e.getMessage());
  }

  @Test
  void ordinalOutsideTheReplicaCountIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PoolSlicer.slicesFor(List.of(PoolSpec.of("10.0.0.0/24", 0)), List.of(OpenVPN), 2, 2));
  }

  @Test
  void cidrParsingExplainsMistakes() {
    assertEquals(
        "did you mean 10.0.0.0/24?",
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.5/24"))
            .getMessage()
            .replaceAll(".*; ", ""));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.256/24"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("fd00::/64"));
    assertEquals(0xC0A80000L, Ipv4Cidr.parse("192.168.0.0/16").network());
  }

  static Stream<Arguments> cidrCovers() {
    return Stream.of(
        Arguments.of(
            "10.9.0.2",
            "10.9.0.63",
            List.of("10.9.0.2/31", "10.9.0.4/30", "10.9.0.8/29", "10.9.0.16/28", "10.9.0.32/27")),
        Arguments.of("10.9.0.0", "10.9.0.255", List.of("10.9.0.0/24")),
        Arguments.of("10.9.0.7", "10.9.0.7", List.of("10.9.0.7/32")),
        Arguments.of("0.0.0.0", "255.255.255.255", List.of("0.0.0.0/0")));
  }

  @ParameterizedTest(name = "{0}-{1}")
  @MethodSource("cidrCovers")
  void rangesDecomposeIntoMinimalCidrBlocks(String first, String last, List<String> expected) {
    AddressRange r = new AddressRange(Addresses.parse(first), Addresses.parse(last));
    assertEquals(expected, r.toCidrs().stream().map(Ipv4Cidr::toString).toList());
  }

  @Test
  void fromTheCustomResourceType() {
    PoolSpec p = PoolSpec.from(new AddressPool("10.20.0.0/16", List.of("eng"), null));
    assertEquals(0, p.priority());
    assertEquals(List.of("eng"), p.groups());
    assertEquals("10.20.0.1", Addresses.format(p.gatewayAddress()));
  }
}
