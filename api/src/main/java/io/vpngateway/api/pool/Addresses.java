package io.vpngateway.api.pool;

/** Conversions between dotted-quad text and unsigned 32-bit IPv4 values. */
public final class Addresses {
  private Addresses() {}

  public static String format(long address) {
    return ((address >>> 24) & 0xff)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }

  /** Parses a dotted quad. */
  public static long parse(String dotted) {
    return Ipv4Cidr.parse(dotted + "/32").network();
  }
}
