package io.vpngateway.gateway.udp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A peer address in both forms: the Java {@link InetSocketAddress} and the {@code struct
 * sockaddr_in}/{@code sockaddr_in6} the kernel takes, encoded once so that sending costs no
 * conversion. Immutable; a link keeps one per peer, and batches of datagrams to one peer are
 * recognised by identity.
 */
public final class NativeSocketAddress {
  static final int SOCKADDR_IN_SIZE = 16;
  static final int SOCKADDR_IN6_SIZE = 28;

  private final InetSocketAddress address;
  private final Memory sockaddr;
  private final long pointer;
  private final int length;

  private NativeSocketAddress(InetSocketAddress address, Memory sockaddr, int length) {
    this.address = address;
    this.sockaddr = sockaddr;
    this.pointer = Pointer.nativeValue(sockaddr);
    this.length = length;
  }

  /**
   * Encodes {@code address} for a socket of {@code family} ({@code AF_INET} or {@code AF_INET6};
   * an IPv4 peer of an IPv6 socket becomes {@code ::ffff:a.b.c.d}).
   *
   * @throws IllegalArgumentException for an IPv6 peer of an IPv4 socket or an unresolved address
   */
  static NativeSocketAddress of(InetSocketAddress address, int family) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw new IllegalArgumentException("unresolved address " + address);
    }
    if (family == UdpNative.AF_INET) {
      if (!(ip instanceof Inet4Address)) {
        throw new IllegalArgumentException("IPv6 peer " + address + " on an IPv4 socket");
      }
      Memory m = new Memory(SOCKADDR_IN_SIZE);
      m.clear();
      m.setShort(0, (short) UdpNative.AF_INET);
      putPort(m, address.getPort());
      m.write(4, ip.getAddress(), 0, 4);
      return new NativeSocketAddress(address, m, SOCKADDR_IN_SIZE);
    }
    Memory m = new Memory(SOCKADDR_IN6_SIZE);
    m.clear();
    m.setShort(0, (short) UdpNative.AF_INET6);
    putPort(m, address.getPort());
    byte[] bytes = ip.getAddress();
    if (bytes.length == 4) {
      m.setByte(18, (byte) 0xff);
      m.setByte(19, (byte) 0xff);
      m.write(20, bytes, 0, 4);
    } else {
      m.write(8, bytes, 0, 16);
      if (ip instanceof Inet6Address v6) {
        m.setInt(24, v6.getScopeId());
      }
    }
    return new NativeSocketAddress(address, m, SOCKADDR_IN6_SIZE);
  }

  private static void putPort(Memory m, int port) {
    m.setByte(2, (byte) (port >>> 8));
    m.setByte(3, (byte) port);
  }

  public InetSocketAddress address() {
    return address;
  }

  long pointer() {
    return pointer;
  }

  int length() {
    return length;
  }

  /** Keeps the native memory reachable while a call uses {@link #pointer()}. */
  Memory memory() {
    return sockaddr;
  }

  @Override
  public String toString() {
    return address.toString();
  }
}
