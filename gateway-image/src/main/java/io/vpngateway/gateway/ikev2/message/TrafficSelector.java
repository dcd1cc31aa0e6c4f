package io.vpngateway.gateway.ikev2.message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One traffic selector, RFC 7296 §3.13.1: an address range, an IP protocol (0 = any) and a port
 * range. Only {@link #TS_IPV4_ADDR_RANGE} and {@link #TS_IPV6_ADDR_RANGE} exist.
 *
 * @param tsType 7 (IPv4) or 8 (IPv6)
 * @param ipProtocol IP protocol number, 0 for any
 * @param startPort first port (0 for any)
 * @param endPort last port (65535 for any)
 * @param startAddress first address, 4 or 16 octets
 * @param endAddress last address, same length
 */
public record TrafficSelector(
    int tsType, int ipProtocol, int startPort, int endPort, byte[] startAddress, byte[] endAddress) {
  public static final int TS_IPV4_ADDR_RANGE = 7;
  public static final int TS_IPV6_ADDR_RANGE = 8;

  public TrafficSelector {
    startAddress = startAddress.clone();
    endAddress = endAddress.clone();
  }

  /** An IPv4 range {@code [first, last]} (addresses as unsigned 32-bit values), any protocol/port. */
  public static TrafficSelector ipv4(long first, long last) {
    return new TrafficSelector(TS_IPV4_ADDR_RANGE, 0, 0, 65535, v4(first), v4(last));
  }

  /** The IPv4 CIDR {@code a.b.c.d/n}, any protocol and port. */
  public static TrafficSelector ipv4Cidr(long network, int prefixLength) {
    long size = 1L << (32 - prefixLength);
    long first = network & ~(size - 1) & 0xffffffffL;
    return ipv4(first, first + size - 1);
  }

  private static byte[] v4(long a) {
    return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
  }

  @Override
  public byte[] startAddress() {
    return startAddress.clone();
  }

  @Override
  public byte[] endAddress() {
    return endAddress.clone();
  }

  public boolean isIpv4() {
    return tsType == TS_IPV4_ADDR_RANGE;
  }

  /** First IPv4 address as an unsigned value (IPv4 selectors only). */
  public long ipv4Start() {
    return toLong(startAddress);
  }

  /** Last IPv4 address as an unsigned value (IPv4 selectors only). */
  public long ipv4End() {
    return toLong(endAddress);
  }

  private static long toLong(byte[] a) {
    long v = 0;
    for (byte b : a) {
      v = (v << 8) | (b & 0xff);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrafficSelector t
        && t.tsType == tsType
        && t.ipProtocol == ipProtocol
        && t.startPort == startPort
        && t.endPort == endPort
        && Arrays.equals(t.startAddress, startAddress)
        && Arrays.equals(t.endAddress, endAddress);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(startAddress) * 31 + Arrays.hashCode(endAddress) + tsType;
  }

  @Override
  public String toString() {
    try {
      String range =
          InetAddress.getByAddress(startAddress).getHostAddress()
              + "-"
              + InetAddress.getByAddress(endAddress).getHostAddress();
      String ports = startPort == 0 && endPort == 65535 ? "" : "[" + startPort + "-" + endPort + "]";
      return range + (ipProtocol == 0 ? "" : "/" + ipProtocol) + ports;
    } catch (UnknownHostException e) {
      return "TS(type " + tsType + ")";
    }
  }
}
