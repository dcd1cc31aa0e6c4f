package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.exception.TsUnacceptableException;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Narrowing of traffic selectors, RFC 7296 §2.9: the responder answers with a subset of what the
 * initiator proposed. For a remote-access client the client's side is narrowed to the inner
 * address it was given, and the gateway's side to what the gateway routes: the configured routes
 * (plus the pushed DNS servers) in split tunnel, everything with force tunnel. Only IPv4 selectors
 * are answered; a request with nothing left is TS_UNACCEPTABLE.
 */
final class TrafficSelectorNarrowing {
  private TrafficSelectorNarrowing() {}

  /** The client's selectors narrowed to {@code address} (an unsigned IPv4 value). */
  static List<TrafficSelector> toAddress(List<TrafficSelector> offered, long address)
      throws TsUnacceptableException {
    LinkedHashSet<TrafficSelector> out = new LinkedHashSet<>();
    for (TrafficSelector ts : offered) {
      if (ts.isIpv4() && ts.ipv4Start() <= address && address <= ts.ipv4End()) {
        out.add(narrowed(ts, address, address));
      }
    }
    if (out.isEmpty()) {
      throw new TsUnacceptableException(
          "the client's selectors " + offered + " do not include its address");
    }
    return List.copyOf(out);
  }

  /** The gateway's side: each offered selector intersected with each allowed range. */
  static List<TrafficSelector> toAllowed(List<TrafficSelector> offered, List<long[]> allowed)
      throws TsUnacceptableException {
    LinkedHashSet<TrafficSelector> out = new LinkedHashSet<>();
    for (TrafficSelector ts : offered) {
      if (!ts.isIpv4()) {
        continue;
      }
      for (long[] range : allowed) {
        long from = Math.max(ts.ipv4Start(), range[0]);
        long to = Math.min(ts.ipv4End(), range[1]);
        if (from <= to) {
          out.add(narrowed(ts, from, to));
        }
      }
    }
    if (out.isEmpty()) {
      throw new TsUnacceptableException(
          "the client's selectors " + offered + " do not overlap what the gateway routes");
    }
    return List.copyOf(out);
  }

  private static TrafficSelector narrowed(TrafficSelector ts, long from, long to) {
    TrafficSelector range = TrafficSelector.ipv4(from, to);
    return new TrafficSelector(
        TrafficSelector.TS_IPV4_ADDR_RANGE,
        ts.ipProtocol(),
        ts.startPort(),
        ts.endPort(),
        range.startAddress(),
        range.endAddress());
  }

  /**
   * What the gateway routes for its clients, as sorted disjoint address ranges (a DNS server
   * inside a route adds nothing); {@link Ikev2Policy#allowedRanges} keeps them per policy.
   */
  static List<long[]> computeRanges(Ikev2Policy policy) {
    List<long[]> ranges = new ArrayList<>();
    if (policy.forceTunnel()) {
      ranges.add(new long[] {0, 0xffffffffL});
      return ranges;
    }
    for (String cidr : policy.routes()) {
      ranges.add(cidrRange(cidr));
    }
    for (String dns : policy.dnsServers()) {
      if (!dns.contains(":")) {
        ranges.add(cidrRange(dns + "/32"));
      }
    }
    ranges.sort(java.util.Comparator.comparingLong(r -> r[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] r : ranges) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.add(new long[] {r[0], r[1]});
      }
    }
    return merged;
  }

  static long[] cidrRange(String cidr) {
    String[] parts = cidr.split("/");
    long address = ipv4(parts[0]);
    int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
    long size = 1L << (32 - prefix);
    long first = address & ~(size - 1) & 0xffffffffL;
    return new long[] {first, first + size - 1};
  }

  static long ipv4(String dotted) {
    String[] o = dotted.trim().split("\\.");
    if (o.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + dotted);
    }
    long v = 0;
    for (String part : o) {
      int b = Integer.parseInt(part);
      if (b < 0 || b > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + dotted);
      }
      v = (v << 8) | b;
    }
    return v;
  }
}
