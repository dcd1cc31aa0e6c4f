package io.vpngateway.gateway.udp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory for one {@code recvmmsg(2)}: {@code slots} datagrams of up to {@code slotSize}
 * bytes each, with their sender addresses. Owned by one receiving thread and reused for every
 * call, so receiving allocates nothing; the sender of consecutive datagrams from one peer is the
 * same cached {@link InetSocketAddress} object.
 *
 * <p>The headers and the data are read and written through one direct {@link ByteBuffer} over the
 * native memory (plain memory accesses once compiled) rather than JNA's {@code Memory} accessors,
 * each of which is a JNI call: an idle ping's wake-up made ~130 of those. Before a call only the
 * headers the previous call used are reset (the kernel writes {@code msg_namelen} and {@code
 * msg_flags} of the datagrams it returns and of no others).
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
  /** The whole of {@link #memory}, native byte order; absolute accesses only. */
  private final ByteBuffer view;
  private final long base;
  private final long iovecs;
  private final long names;
  private final long data;
  private final long[] cachedKeys = new long[SENDER_CACHE];
  private final InetSocketAddress[] cachedSenders = new InetSocketAddress[SENDER_CACHE];
  private final byte[] v4 = new byte[4];
  private final byte[] v6 = new byte[16];
  private int received;
  /** Headers the kernel may have written since they were last reset (from 0). */
  private int dirty;

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
    this.view = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
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
      memory.setInt(h + 8, NAME); // msg_namelen
      memory.setLong(h + 16, iovecs + iov); // msg_iov
      memory.setLong(h + 24, 1); // msg_iovlen
    }
  }

  public int slots() {
    return slots;
  }

  /**
   * Resets the in/out fields the last call used before the next; returns the vector's address.
   * Until {@link #received} says how many the call used, all count as used (a failed call).
   */
  long prepare() {
    for (int i = 0; i < dirty; i++) {
      int h = i * MMSGHDR;
      view.putInt(h + 8, NAME); // msg_namelen
      view.putInt(h + 48, 0); // msg_flags
    }
    dirty = slots;
    received = 0;
    return base;
  }

  void received(int n) {
    received = n;
    dirty = n;
  }

  /** Datagrams the last receive returned. */
  public int count() {
    return received;
  }

  /** Length of datagram {@code i} (as received: at most slotSize). */
  public int length(int i) {
    return Math.min(view.getInt(i * MMSGHDR + 56), slotSize);
  }

  /** True when datagram {@code i} was longer than a slot (its tail is lost). */
  public boolean truncated(int i) {
    return (view.getInt(i * MMSGHDR + 48) & UdpNative.MSG_TRUNC) != 0;
  }

  /**
   * Copies datagram {@code i} into {@code dst} (a heap buffer) at its position, which advances.
   */
  public void copyTo(int i, ByteBuffer dst) {
    int n = length(i);
    view.get((int) (data - base) + i * slotSize, dst.array(), dst.arrayOffset() + dst.position(),
        n);
    dst.position(dst.position() + n);
  }

  /** The sender of datagram {@code i}; the same object for repeated senders while cached. */
  public InetSocketAddress sender(int i) {
    int name = (int) (names - base) + i * NAME;
    int family = view.getShort(name) & 0xffff;
    int port = ((view.get(name + 2) & 0xff) << 8) | (view.get(name + 3) & 0xff);
    boolean mapped = family == UdpNative.AF_INET6 && view.getLong(name + 8) == 0
        && view.getInt(name + 16) == 0xffff0000;
    int addrAt;
    if (family == UdpNative.AF_INET) {
      addrAt = 4;
    } else if (mapped) {
      addrAt = 20;
    } else {
      return ipv6(name, port);
    }
    long key = ((long) port << 32) | (view.getInt(name + addrAt) & 0xffffffffL);
    int slot = (int) ((key ^ (key >>> 29)) * 0x9E3779B97F4A7C15L >>> 58) & (SENDER_CACHE - 1);
    InetSocketAddress cached = cachedSenders[slot];
    if (cached != null && cachedKeys[slot] == key) {
      return cached;
    }
    view.get(name + addrAt, v4, 0, 4);
    InetSocketAddress a = address(v4, port);
    cachedKeys[slot] = key;
    cachedSenders[slot] = a;
    return a;
  }

  private InetSocketAddress ipv6(int name, int port) {
    view.get(name + 8, v6, 0, 16);
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
