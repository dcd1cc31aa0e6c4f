package io.vpngateway.gateway.udp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.ref.Reference;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A non-blocking UDP socket driven directly through libc, for what {@link
 * java.nio.channels.DatagramChannel} cannot do: receive many datagrams per system call ({@code
 * recvmmsg(2)}) and send many per call with UDP generic segmentation offload ({@code sendmsg(2)}
 * with a {@code UDP_SEGMENT} control message, Linux 4.18+, see the kernel's {@code
 * Documentation/networking/segmentation-offloads.rst}): one buffer of equal-sized datagrams to
 * one peer leaves as one call, and the kernel cuts it (or the NIC does).
 *
 * <p>Threads: one thread receives (and waits in {@link #awaitReadable}); any thread may send.
 * {@link #wakeup()} makes a waiting receiver return. Sends never block: a full send buffer drops
 * the datagram (counted in {@link #sendDrops()}), as a lossy link would.
 */
public final class UdpSocket implements AutoCloseable {
  private static final int SEND_BUFFER_SIZE = 65536;
  private static final ThreadLocal<Memory> SEND_BUFFER =
      ThreadLocal.withInitial(() -> new Memory(SEND_BUFFER_SIZE));

  private final int fd;
  private final int family;
  private final int wakeFd;
  private final InetSocketAddress local;
  private final Memory pollFds = new Memory(16);
  private final Memory eight = new Memory(8);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder sendDrops = new LongAdder();
  private volatile boolean segmentation;

  private UdpSocket(int fd, int family, int wakeFd, InetSocketAddress local, boolean gso) {
    this.fd = fd;
    this.family = family;
    this.wakeFd = wakeFd;
    this.local = local;
    this.segmentation = gso;
    pollFds.clear();
    pollFds.setInt(0, fd);
    pollFds.setShort(4, UdpNative.POLLIN);
    pollFds.setInt(8, wakeFd);
    pollFds.setShort(12, UdpNative.POLLIN);
  }

  /**
   * Opens a socket bound to {@code address} (IPv4, or IPv6 dual-stack when the address is IPv6).
   *
   * @param reusePort join an {@code SO_REUSEPORT} group: several sockets on one port, the kernel
   *     hashes each peer to one of them
   * @param bufferBytes {@code SO_RCVBUF}/{@code SO_SNDBUF} (the kernel caps them at {@code
   *     net.core.rmem_max}/{@code wmem_max}); 0 keeps the defaults
   */
  public static UdpSocket bind(InetSocketAddress address, boolean reusePort, int bufferBytes)
      throws IOException {
    InetAddress ip = address.getAddress();
    int family = ip instanceof Inet4Address ? UdpNative.AF_INET : UdpNative.AF_INET6;
    int fd = UdpNative.socket(family,
        UdpNative.SOCK_DGRAM | UdpNative.SOCK_NONBLOCK | UdpNative.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw failure("socket", Native.getLastError());
    }
    int wake = -1;
    try {
      Memory one = new Memory(4);
      if (family == UdpNative.AF_INET6) {
        one.setInt(0, 0);
        setOption(fd, UdpNative.IPPROTO_IPV6, UdpNative.IPV6_V6ONLY, one, "IPV6_V6ONLY");
      }
      one.setInt(0, 1);
      if (reusePort) {
        setOption(fd, UdpNative.SOL_SOCKET, UdpNative.SO_REUSEPORT, one, "SO_REUSEPORT");
      }
      if (bufferBytes > 0) {
        one.setInt(0, bufferBytes);
        setOption(fd, UdpNative.SOL_SOCKET, UdpNative.SO_RCVBUF, one, "SO_RCVBUF");
        setOption(fd, UdpNative.SOL_SOCKET, UdpNative.SO_SNDBUF, one, "SO_SNDBUF");
      }
      // probe UDP GSO: setting a segment size of 0 (off) fails where the kernel lacks it
      one.setInt(0, 0);
      boolean gso = UdpNative.setsockopt(fd, UdpNative.SOL_UDP, UdpNative.UDP_SEGMENT,
          Pointer.nativeValue(one), 4) == 0;
      NativeSocketAddress bindTo = NativeSocketAddress.of(address, family);
      if (UdpNative.bind(fd, bindTo.pointer(), bindTo.length()) < 0) {
        throw failure("bind " + address, Native.getLastError());
      }
      Reference.reachabilityFence(bindTo);
      InetSocketAddress bound = localAddress(fd, address);
      wake = UdpNative.eventfd(0, UdpNative.EFD_NONBLOCK | UdpNative.EFD_CLOEXEC);
      if (wake < 0) {
        throw failure("eventfd", Native.getLastError());
      }
      return new UdpSocket(fd, family, wake, bound, gso);
    } catch (IOException | RuntimeException e) {
      UdpNative.close(fd);
      if (wake >= 0) {
        UdpNative.close(wake);
      }
      throw e;
    }
  }

  private static void setOption(int fd, int level, int name, Memory value, String what)
      throws IOException {
    if (UdpNative.setsockopt(fd, level, name, Pointer.nativeValue(value), 4) < 0) {
      throw failure("setsockopt " + what, Native.getLastError());
    }
  }

  private static InetSocketAddress localAddress(int fd, InetSocketAddress requested)
      throws IOException {
    try (Memory name = new Memory(32); Memory length = new Memory(4)) {
      length.setInt(0, 32);
      if (UdpNative.getsockname(fd, Pointer.nativeValue(name), Pointer.nativeValue(length)) < 0) {
        throw failure("getsockname", Native.getLastError());
      }
      int port = ((name.getByte(2) & 0xff) << 8) | (name.getByte(3) & 0xff);
      return new InetSocketAddress(requested.getAddress(), port);
    }
  }

  public InetSocketAddress localAddress() {
    return local;
  }

  /** Whether sends of many datagrams in one call (UDP GSO) are available. */
  public boolean supportsSegmentation() {
    return segmentation;
  }

  /** The native form of {@code peer} for this socket's address family. */
  public NativeSocketAddress peer(InetSocketAddress peer) {
    return NativeSocketAddress.of(peer, family);
  }

  /**
   * Receives what is queued, without waiting, into {@code batch} (at most its slot count).
   *
   * @return datagrams received (0 when none is queued)
   * @throws IOException on a socket error other than "nothing queued"
   */
  public int receive(UdpReceiveBatch batch) throws IOException {
    long vector = batch.prepare();
    int n = UdpNative.recvmmsg(fd, vector, batch.slots(), UdpNative.MSG_DONTWAIT, 0);
    if (n < 0) {
      int errno = Native.getLastError();
      if (errno == UdpNative.EAGAIN || errno == UdpNative.EINTR) {
        batch.received(0); // no datagram: the kernel wrote no header
        return 0;
      }
      if (closed.get()) {
        return 0;
      }
      throw failure("recvmmsg", errno);
    }
    batch.received(n);
    return n;
  }

  /**
   * Waits until a datagram is queued, {@link #wakeup()} is called, or {@code timeoutMillis}
   * passes ({@code -1}: no limit).
   */
  public void awaitReadable(int timeoutMillis) throws IOException {
    int ready = UdpNative.poll(Pointer.nativeValue(pollFds), 2, timeoutMillis);
    if (ready < 0) {
      int errno = Native.getLastError();
      if (errno != UdpNative.EINTR) {
        throw failure("poll", errno);
      }
      return;
    }
    if ((pollFds.getShort(14) & UdpNative.POLLIN) != 0 && !closed.get()) {
      UdpNative.read(wakeFd, Pointer.nativeValue(eight), 8); // consume the wake-up
    }
  }

  /** Makes a thread waiting in {@link #awaitReadable} return. Any thread. */
  public void wakeup() {
    try (Memory one = new Memory(8)) {
      one.setLong(0, 1);
      UdpNative.write(wakeFd, Pointer.nativeValue(one), 8);
    }
  }

  /**
   * Sends one datagram (the buffer's position to limit; the position moves to the limit). Any
   * thread. Returns false when it was dropped (full send buffer, unreachable peer, closed).
   */
  public boolean send(ByteBuffer datagram, NativeSocketAddress to) {
    int n = datagram.remaining();
    if (n > SEND_BUFFER_SIZE) {
      sendDrops.increment();
      return false;
    }
    Memory buffer = SEND_BUFFER.get();
    if (datagram.hasArray()) {
      buffer.write(0, datagram.array(), datagram.arrayOffset() + datagram.position(), n);
    } else {
      buffer.getByteBuffer(0, n).put(datagram.duplicate());
    }
    datagram.position(datagram.limit());
    return sendNative(Pointer.nativeValue(buffer), n, to);
  }

  /** Sends {@code length} bytes at native {@code address} as one datagram. */
  boolean sendNative(long address, int length, NativeSocketAddress to) {
    if (closed.get()) {
      return false;
    }
    long n = UdpNative.sendto(fd, address, length, UdpNative.MSG_DONTWAIT, to.pointer(),
        to.length());
    Reference.reachabilityFence(to);
    if (n < 0) {
      sendDrops.increment();
      return false;
    }
    return true;
  }

  /**
   * Sends {@code length} bytes at {@code address} as datagrams of {@code segmentSize} bytes (the
   * last may be shorter) in one call, through {@code message}: a {@code struct msghdr} (56 bytes)
   * followed by one {@code struct iovec} (16) and a control buffer (24), owned by the caller.
   *
   * @return false when the kernel refused the segmented send as a whole (then segmentation is
   *     turned off for this socket, and the caller sends the datagrams one by one)
   */
  boolean sendSegments(long address, int length, int segmentSize, NativeSocketAddress to,
      Memory message) {
    if (closed.get()) {
      return true;
    }
    long m = Pointer.nativeValue(message);
    message.setLong(0, to.pointer()); // msg_name
    message.setInt(8, to.length()); // msg_namelen
    message.setLong(16, m + 56); // msg_iov
    message.setLong(24, 1); // msg_iovlen
    message.setLong(32, m + 72); // msg_control
    message.setLong(40, 24); // msg_controllen: CMSG_SPACE(sizeof(uint16_t))
    message.setInt(48, 0); // msg_flags
    message.setLong(56, address); // iov_base
    message.setLong(64, length); // iov_len
    message.setLong(72, 18); // cmsg_len: CMSG_LEN(sizeof(uint16_t))
    message.setInt(80, UdpNative.SOL_UDP); // cmsg_level
    message.setInt(84, UdpNative.UDP_SEGMENT); // cmsg_type
    message.setShort(88, (short) segmentSize);
    long n = UdpNative.sendmsg(fd, m, UdpNative.MSG_DONTWAIT);
    Reference.reachabilityFence(to);
    if (n >= 0) {
      return true;
    }
    int errno = Native.getLastError();
    if (errno == UdpNative.EIO || errno == UdpNative.EINVAL || errno == UdpNative.ENOPROTOOPT) {
      // no checksum offload on the route's device (EIO), or no GSO for this path
      segmentation = false;
      return false;
    }
    sendDrops.increment();
    return true;
  }

  /** Datagrams dropped on send (full buffer, unreachable peer) since the socket opened. */
  public long sendDrops() {
    return sendDrops.sum();
  }

  void countDrop() {
    sendDrops.increment();
  }

  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the socket. A thread still inside {@link #receive} or {@link #awaitReadable} must have
   * been stopped first ({@link #wakeup()}, then join it): a closed descriptor number is reused by
   * the next {@code open}.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      UdpNative.close(fd);
      UdpNative.close(wakeFd);
    }
  }

  private static IOException failure(String call, int errno) {
    return new IOException(call + ": " + UdpNative.describe(errno));
  }

  @Override
  public String toString() {
    return "UdpSocket[" + local + "]";
  }
}
