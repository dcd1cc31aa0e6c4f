package io.vpngateway.api.pool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 network in CIDR notation (RFC 4632). Addresses are handled as unsigned 32-bit values in a
 * {@code long} so that ranges above 128.0.0.0 compare and subtract naturally.
 *
 * @param network the network address (host bits zero)
 * @param prefixLength 0..32
 */
public record Ipv4Cidr(long network, int prefixLength) {
  private static final Pattern FORM =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  public Ipv4Cidr {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("prefix length must be 0..32, was " + prefixLength);
    }
    if (network < 0 || network > 0xffffffffL) {
      throw new IllegalArgumentException("not an IPv4 address: " + network);
    }
    if ((network & ~mask(prefixLength) & 0xffffffffL) != 0) {
      throw new IllegalArgumentException(
          Addresses.format(network)
              + "/"
              + prefixLength
              + " has host bits set; did you mean "
              + Addresses.format(network & mask(prefixLength))
              + "/"
              + prefixLength
              + "?");
    }
  }

  /** Parses {@code a.b.c.d/n}; the address must be the network address. */
  public static Ipv4Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("CIDR is missing");
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 CIDR like 10.8.0.0/24");
    }
    long address = 0;
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        throw new IllegalArgumentException("'" + text + "': octet " + octet + " is above 255");
      }
      address = (address << 8) | octet;
    }
    return new Ipv4Cidr(address, Integer.parseInt(m.group(5)));
  }

  private static long mask(int prefixLength) {
    return prefixLength == 0 ? 0 : (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
  }

  public long size() {
    return 1L << (32 - prefixLength);
  }

  public long first() {
    return network;
  }

  public long last() {
    return network + size() - 1;
  }

  public boolean contains(long address) {
    return address >= first() && address <= last();
  }

  public boolean overlaps(Ipv4Cidr other) {
    return first() <= other.last() && other.first() <= last();
  }

  public AddressRange range() {
    return new AddressRange(first(), last());
  }

  @Override
  public String toString() {
    return Addresses.format(network) + "/" + prefixLength;
  }
}
