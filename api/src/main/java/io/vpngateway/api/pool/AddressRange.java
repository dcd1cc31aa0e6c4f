package io.vpngateway.api.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * An inclusive range of IPv4 addresses (unsigned 32-bit values). {@code first > last} is the empty
 * range.
 */
public record AddressRange(long first, long last) {
  public static final AddressRange EMPTY = new AddressRange(1, 0);

  public long size() {
    return Math.max(0, last - first + 1);
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  public boolean contains(long address) {
    return address >= first && address <= last;
  }

  public boolean overlaps(AddressRange other) {
    return !isEmpty() && !other.isEmpty() && first <= other.last && other.first <= last;
  }

  /**
   * The smallest list of CIDR blocks exactly covering this range, e.g. for routes or firewall rules
   * that target one replica's slice.
   */
  public List<Ipv4Cidr> toCidrs() {
    List<Ipv4Cidr> blocks = new ArrayList<>();
    long start = first;
    while (start <= last) {
      // the largest aligned block starting here that does not run past the end
      int prefix = start == 0 ? 0 : 32 - Long.numberOfTrailingZeros(start);
      while ((start + (1L << (32 - prefix)) - 1) > last) {
        prefix++;
      }
      blocks.add(new Ipv4Cidr(start, prefix));
      start += 1L << (32 - prefix);
    }
    return blocks;
  }

  @Override
  public String toString() {
    return isEmpty() ? "(empty)" : Addresses.format(first) + "-" + Addresses.format(last);
  }
}
