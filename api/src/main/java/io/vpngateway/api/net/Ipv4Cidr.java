package io.vpngateway.api.net;

/**
 * An IPv4 network in CIDR notation, normalised to its network address. Immutable.
 *
 * @param network the network address as an unsigned 32-bit value in an int
 * @param prefix prefix length, 0..32
 */
public record Ipv4Cidr(int network, int prefix) {
  public Ipv4Cidr {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix length " + prefix + " is not in 0..32");
    }
    network &= mask(prefix);
  }

  /** Parses {@code a.b.c.d/n}; host bits are cleared. */
  public static Ipv4Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("CIDR is missing");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (a.b.c.d/n)");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
    }
    return new Ipv4Cidr(parseAddress(text.substring(0, slash)), prefix);
  }

  /** Parses a dotted-quad IPv4 address into an int (network byte order). */
  public static int parseAddress(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
    }
    int value = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  public static String format(int address) {
    return ((address >>> 24) & 0xff)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }

  public static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  public int mask() {
    return mask(prefix);
  }

  /** Number of addresses, network and broadcast included. */
  public long size() {
    return 1L << (32 - prefix);
  }

  public boolean contains(int address) {
    return (address & mask()) == network;
  }

  public boolean overlaps(Ipv4Cidr other) {
    return contains(other.network) || other.contains(network);
  }

  /** The dotted netmask, e.g. {@code 255.255.255.0}. */
  public String netmask() {
    return format(mask());
  }

  @Override
  public String toString() {
    return format(network) + "/" + prefix;
  }
}
