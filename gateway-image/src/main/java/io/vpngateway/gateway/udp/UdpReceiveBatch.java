package io.vpngateway.gateway.udp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Native memory for one {@code recvmmsg(2)}: {@code slots} datagrams of up to {@code slotSize}
 * bytes each, with their sender addresses. Owned by one receiving thread and reused for every
 * call, so receiving allocates nothing; the sender of consecutive datagrams from one peer is the
 * same cached {@link InetSocketAddress} object.
 *
 * <pre>
 * struct mmsghdr[slots] (64 bytes: msghdr 56 + msg_len) | struct iovec[slots] (16) |
 * sockaddr storage[slots] (32) | data[slots][slotSize]
 * </pre>
 */
public final class UdpReceiveBatch {
  private static final int MMSGHDR = 64;
  private static final int IOVEC = 16;
  private static final int NAME = 32;
  private static final int SENDER_CACHE = 64;

  private final int slots;
  private final int slotSize;
  private final Memory memory;
  private final long base;
  private final long iovecs;
  private final long names;
  private final long data;
  private final long[] cachedKeys = new long[SENDER_CACHE];
  private final InetSocketAddress[] cachedSenders = new InetSocketAddress[SENDER_CACHE];
  private final byte[] v4 = new byte[4];
  private final byte[] v6 = new byte[16];
  private int received;

  /**
   * @param slots datagrams per call (at most 1024)
   * @param slotSize the largest datagram accepted; longer ones arrive truncated and are flagged
   */
  public UdpReceiveBatch(int slots, int slotSize) {
    if (slots < 1 || slots > 1024 || slotSize < 64) {
      throw new IllegalArgumentException("slots 1..1024 and slotSize >= 64");
    }
    this.slots = slots;
    this.slotSize = slotSize;
    this.memory = new Memory((long) slots * (MMSGHDR + IOVEC + NAME + slotSize));
    // only the headers: the data pages stay untouched (and not resident) until datagrams use them
    memory.setMemory(0, (long) slots * (MMSGHDR + IOVEC + NAME), (byte) 0);
    this.base = Pointer.nativeValue(memory);
    this.iovecs = base + (long) slots * MMSGHDR;
    this.names = iovecs + (long) slots * IOVEC;
    this.data = names + (long) slots * NAME;
    for (int i = 0; i < slots; i++) {
      long iov = (long) i * IOVEC;
      memory.setLong(slots * (long) MMSGHDR + iov, data + (long) i * slotSize);
      memory.setLong(slots * (long) MMSGHDR + iov + 8, slotSize);
      long h = (long) i * MMSGHDR;
      memory.setLong(h, names + (long) i * NAME); // msg_name
      memory.setLong(h + 16, iovecs + iov); // msg_iov
      memory.setLong(h + 24, 1); // msg_iovlen
    }
  }

  public int slots() {
    return slots;
  }

  /** Resets the in/out fields before a call; returns the vector's address. */
  long prepare() {
    for (int i = 0; i < slots; i++) {
      long h = (long) i * MMSGHDR;
      memory.setInt(h + 8, NAME); // msg_namelen
      memory.setInt(h + 48, 0); // msg_flags
    }
    received = 0;
    return base;
  }

  void received(int n) {
    received = n;
  }

  /** Datagrams the last receive returned. */
  public int count() {
    return received;
  }

  /** Length of datagram {@code i} (as received: at most slotSize). */
  public int length(int i) {
    return Math.min(memory.getInt((long) i * MMSGHDR + 56), slotSize);
  }

  /** True when datagram {@code i} was longer than a slot (its tail is lost). */
  public boolean truncated(int i) {
    return (memory.getInt((long) i * MMSGHDR + 48) & UdpNative.MSG_TRUNC) != 0;
  }

  /**
   * Copies datagram {@code i} into {@code dst} (a heap buffer) at its position, which advances.
   */
  public void copyTo(int i, ByteBuffer dst) {
    int n = length(i);
    memory.read(data - base + (long) i * slotSize, dst.array(), dst.arrayOffset() + dst.position(),
        n);
    dst.position(dst.position() + n);
  }

  /** The sender of datagram {@code i}; the same object for repeated senders while cached. */
  public InetSocketAddress sender(int i) {
    long name = names - base + (long) i * NAME;
    int family = memory.getShort(name) & 0xffff;
    int port = ((memory.getByte(name + 2) & 0xff) << 8) | (memory.getByte(name + 3) & 0xff);
    boolean mapped = family == UdpNative.AF_INET6 && memory.getLong(name + 8) == 0
        && memory.getInt(name + 16) == 0xffff0000;
    int addrAt;
    if (family == UdpNative.AF_INET) {
      addrAt = 4;
    } else if (mapped) {
      addrAt = 20;
    } else {
      return ipv6(name, port);
    }
    long key = ((long) port << 32) | (memory.getInt(name + addrAt) & 0xffffffffL);
    int slot = (int) ((key ^ (key >>> 29)) * 0x9E3779B97F4A7C15L >>> 58) & (SENDER_CACHE - 1);
    InetSocketAddress cached = cachedSenders[slot];
    if (cached != null && cachedKeys[slot] == key) {
      return cached;
    }
    memory.read(name + addrAt, v4, 0, 4);
    InetSocketAddress a = address(v4, port);
    cachedKeys[slot] = key;
    cachedSenders[slot] = a;
    return a;
  }

  private InetSocketAddress ipv6(long name, int port) {
    memory.read(name + 8, v6, 0, 16);
    return address(v6, port);
  }

  private static InetSocketAddress address(byte[] ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip.clone()), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
    }
  }
}
