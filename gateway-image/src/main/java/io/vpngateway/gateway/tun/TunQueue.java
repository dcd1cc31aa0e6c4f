package io.vpngateway.gateway.tun;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One queue (file descriptor) of a {@link TunDevice}. Each {@code read} returns exactly one IP
 * packet and each {@code write} injects exactly one, as the TUN driver defines. The descriptor is
 * non-blocking; {@link #read(ByteBuffer, int)} waits with {@code epoll_wait(2)} so a worker can
 * notice a stop request without closing the descriptor under a blocked {@code read(2)} (which Linux
 * does not interrupt).
 *
 * <p>Waiting reads ({@link #read} with a timeout) are meant for one thread per queue; any thread
 * may read without waiting (a timeout of 0), each with its own header slot, so a thread that
 * wrote a packet can take the kernel's answer itself. Writes may come from any thread: the kernel
 * handles each {@code write(2)} and {@code read(2)} atomically. Stop the readers before closing: a
 * closed descriptor number can be reused by the next {@code open(2)}.
 *
 * <p>A thread that is about to write packets the kernel answers at once and to read the answers
 * itself can {@link #holdReaderWakeups() hold} the waiting reader's wake-ups meanwhile (see {@code
 * TunReplies}): otherwise the kernel wakes the reader inside the write, and the scheduler usually
 * lets it preempt the writer, so the answer is handed to a second thread after all.
 *
 * <p>The device carries a {@code virtio_net_hdr} in front of every packet (see {@link TunDevice});
 * {@link #read} and {@link #write} strip and add it with {@code readv(2)}/{@code writev(2)}, so
 * callers see bare IP packets.
 *
 * <p>Buffers must be direct. Their native addresses are cached per thread by buffer identity, so
 * reuse the same buffer objects: a fresh {@code duplicate()} or {@code slice()} per packet costs a
 * lookup and an allocation.
 */
public final class TunQueue implements AutoCloseable {
  /**
   * {@code sizeof(struct epoll_event)}: a 32-bit event mask and 64 bits of user data, packed on
   * x86-64 (12 bytes), naturally aligned elsewhere (16).
   */
  private static final int EPOLL_EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;

  private static final int EPOLL_DATA_OFFSET = EPOLL_EVENT_SIZE == 12 ? 4 : 8;
  /** {@code virtio_net_hdr.flags}: the checksum from csum_start to the end is still to be done. */
  public static final int VNET_F_NEEDS_CSUM = 1;
  /** {@code virtio_net_hdr.gso_type}: a TCP/IPv4 super-packet of gso_size segments. */
  public static final int VNET_GSO_TCPV4 = 1;
  /** {@code virtio_net_hdr.gso_type} flag: the super-packet carries ECN (CWR on the first). */
  public static final int VNET_GSO_ECN = 0x80;
  /** {@code sizeof(struct virtio_net_hdr)}: flags, gso_type, hdr_len, gso_size, csum_start/offset. */
  static final int VNET_HDR_SIZE = 10;
  /** {@code struct iovec[2]} (16 bytes each on LP64) followed by a 16-byte header slot. */
  private static final int IO_VECTOR_SIZE = 2 * 16 + 16;

  /** Per writing thread: iovecs and an all-zero header (no GSO, checksum already complete). */
  private static final ThreadLocal<Memory> WRITE_VECTOR =
      ThreadLocal.withInitial(TunQueue::newIoVector);

  private final int fd;
  private final int wakeFd;
  /** The reader's epoll set: the queue (level-triggered, unless held) and the wake-up eventfd. */
  private final int epollFd;
  private final String interfaceName;
  private final int index;

  /** Room for the two events {@code epoll_wait} can return, owned by the waiting thread. */
  private final Memory readyEvents = new Memory(2L * EPOLL_EVENT_SIZE);

  /** The queue's registration, armed ({@code EPOLLIN}) and held (no events); never modified. */
  private final Memory armed;

  private final Memory held;

  /**
   * Per reading thread: the iovecs (the header the kernel writes, then the caller's buffer); the
   * header stays readable through the {@code last*} accessors until that thread's next read.
   */
  private static final ThreadLocal<Memory> READ_VECTOR =
      ThreadLocal.withInitial(TunQueue::newIoVector);
  private final AtomicBoolean closed = new AtomicBoolean();

  TunQueue(int fd, String interfaceName, int index) throws IOException {
    this.fd = fd;
    this.interfaceName = interfaceName;
    this.index = index;
    this.wakeFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
    if (wakeFd < 0) {
      throw failure("eventfd", Native.getLastError());
    }
    this.armed = epollEvent(fd, LibC.EPOLLIN);
    this.held = epollEvent(fd, 0);
    this.epollFd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
    if (epollFd < 0) {
      int errno = Native.getLastError();
      LibC.close(wakeFd);
      throw failure("epoll_create1", errno);
    }
    Memory wake = new Memory(EPOLL_EVENT_SIZE);
    wake.clear();
    wake.setInt(0, LibC.EPOLLIN);
    wake.setLong(EPOLL_DATA_OFFSET, wakeFd);
    if (LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_ADD, wakeFd, Pointer.nativeValue(wake)) < 0
        || LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_ADD, fd, Pointer.nativeValue(armed)) < 0) {
      int errno = Native.getLastError();
      LibC.close(epollFd);
      LibC.close(wakeFd);
      throw failure("epoll_ctl", errno);
    }
  }

  private static Memory epollEvent(int fd, int events) {
    Memory m = new Memory(EPOLL_EVENT_SIZE);
    m.clear();
    m.setInt(0, events);
    m.setLong(EPOLL_DATA_OFFSET, fd);
    return m;
  }

  /** False once {@link #close()} was called. */
  public boolean isOpen() {
    return !closed.get();
  }

  public int index() {
    return index;
  }

  /**
   * Reads one packet into {@code dst} (direct) from its position, waiting at most {@code
   * timeoutMillis} ({@code -1}: until a packet arrives or {@link #wakeup()} is called). On success
   * the position advances by the packet length, which is returned; 0 means no packet arrived in
   * time (or the wait was woken). A packet longer than {@code dst.remaining()} is truncated by the
   * kernel, so give at least the MTU (64 KiB once {@link TunDevice#enableTcpSegmentationOffload}
   * is on). The packet's {@code virtio_net_hdr} stays readable through {@link #lastFlags()} and
   * the other {@code last*} accessors until the next read.
   */
  public int read(ByteBuffer dst, int timeoutMillis) throws IOException {
    long base = DirectBufferAddresses.of(dst);
    int n = readOnce(dst, base);
    if (n != 0 || timeoutMillis == 0) {
      return n;
    }
    return awaitReadable(timeoutMillis) ? readOnce(dst, base) : 0;
  }

  /**
   * Waits at most {@code timeoutMillis} ({@code -1}: until a packet arrives or {@link #wakeup()}
   * is called) for a packet to read, without reading it: true when one is readable (another thread
   * may still take it first), false on a timeout or a wake-up. For the one waiting thread of the
   * queue, as {@link #read} with a timeout.
   */
  public boolean awaitReadable(int timeoutMillis) throws IOException {
    int ready = LibC.epoll_wait(epollFd, Pointer.nativeValue(readyEvents), 2, timeoutMillis);
    if (ready < 0) {
      int errno = Native.getLastError();
      if (errno == LibC.EINTR) {
        return false;
      }
      throw failure("epoll_wait", errno);
    }
    boolean readable = false;
    for (int i = 0; i < ready; i++) {
      if (readyEvents.getLong((long) i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET) == wakeFd) {
        // consume the wake-up (the header slot is free); re-arm the queue in case a holder could
        // not (releaseReaderWakeups failed and woke us instead)
        LibC.read(wakeFd, Pointer.nativeValue(READ_VECTOR.get()) + 32, 8);
        LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_MOD, fd, Pointer.nativeValue(armed));
        return false;
      }
      readable = true;
    }
    return readable;
  }

  /**
   * Until {@link #releaseReaderWakeups()}, packets that arrive on this queue do not wake the thread
   * waiting in {@link #awaitReadable}. For a thread that writes packets the kernel answers at once
   * (a ping of the gateway's own address) and reads the answers itself with a non-blocking {@link
   * #read}: without this the kernel wakes the reader inside the write, and the scheduler usually
   * lets it preempt the writer on the same CPU, so the answer goes through a second thread and two
   * context switches after all. The caller must hold the queue's turn (nobody else holds or
   * releases meanwhile) and release in a {@code finally}.
   */
  public void holdReaderWakeups() throws IOException {
    if (closed.get()) {
      throw new IOException(this + " is closed");
    }
    if (LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_MOD, fd, Pointer.nativeValue(held)) < 0) {
      throw failure("epoll_ctl", Native.getLastError());
    }
  }

  /**
   * Ends {@link #holdReaderWakeups()}: a packet still queued wakes the waiting reader now (the
   * kernel checks readiness when the registration changes), so nothing that arrived meanwhile
   * waits. If that fails the reader is woken through its eventfd and re-arms the queue itself.
   */
  public void releaseReaderWakeups() {
    if (closed.get()) {
      return;
    }
    if (LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_MOD, fd, Pointer.nativeValue(armed)) < 0) {
      wakeup();
    }
  }

  /**
   * Makes a reader waiting in {@link #read} return 0 now (or its next wait, if it is not waiting).
   * Any thread; this is how a worker is stopped without a poll timeout, so an idle reader never
   * wakes up on its own.
   */
  public void wakeup() {
    if (closed.get()) {
      return;
    }
    try (Memory one = new Memory(8)) {
      one.setLong(0, 1);
      LibC.write(wakeFd, Pointer.nativeValue(one), 8);
    }
  }

  /** {@code virtio_net_hdr.flags} of the calling thread's last packet read. */
  public int lastFlags() {
    return READ_VECTOR.get().getByte(32) & 0xff;
  }

  /** {@code virtio_net_hdr.gso_type} of the last packet read: 0 for a plain packet. */
  public int lastGsoType() {
    return READ_VECTOR.get().getByte(33) & 0xff;
  }

  /** {@code virtio_net_hdr.gso_size}: the segment payload size of a super-packet. */
  public int lastGsoSize() {
    return READ_VECTOR.get().getShort(36) & 0xffff;
  }

  /** {@code virtio_net_hdr.csum_start}: where the partial checksum's coverage starts. */
  public int lastChecksumStart() {
    return READ_VECTOR.get().getShort(38) & 0xffff;
  }

  /** {@code virtio_net_hdr.csum_offset}: where the checksum goes, from csum_start. */
  public int lastChecksumOffset() {
    return READ_VECTOR.get().getShort(40) & 0xffff;
  }

  /** Sets device-wide offload flags ({@code TUNSETOFFLOAD}); false when the kernel refuses. */
  boolean setOffload(int flags) {
    return LibC.ioctl(fd, TunDevice.TUNSETOFFLOAD, new Pointer(flags)) == 0;
  }

  private int readOnce(ByteBuffer dst, long base) throws IOException {
    int position = dst.position();
    Memory readVector = READ_VECTOR.get();
    readVector.setShort(32, (short) 0); // flags and gso_type: no stale header if the read fails
    readVector.setLong(16, base + position);
    readVector.setLong(24, dst.remaining());
    long n = LibC.readv(fd, Pointer.nativeValue(readVector), 2);
    if (n >= 0) {
      n = Math.max(0, n - VNET_HDR_SIZE);
    } else {
      int errno = Native.getLastError();
      if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
        return 0;
      }
      throw failure("read", errno);
    }
    dst.position(position + (int) n);
    return (int) n;
  }

  /**
   * Injects the packet between {@code src}'s position and limit (direct buffer) into the kernel, as
   * if it had arrived on the interface; the position moves to the limit.
   *
   * @throws IOException when the kernel refuses it (e.g. {@code EINVAL} for a packet that is not
   *     IP, {@code EIO} when the interface is down)
   */
  public void write(ByteBuffer src) throws IOException {
    long base = DirectBufferAddresses.of(src);
    int position = src.position();
    int length = src.remaining();
    Memory vector = WRITE_VECTOR.get();
    vector.setLong(16, base + position);
    vector.setLong(24, length);
    long n = LibC.writev(fd, Pointer.nativeValue(vector), 2);
    if (n < 0) {
      throw failure("write", Native.getLastError());
    }
    src.position(position + length);
  }

  /**
   * Writes {@code length} bytes at native {@code address} that already start with a {@code
   * virtio_net_hdr} (used by {@link TcpSegmentCoalescer} for GSO super-segments).
   */
  void writeWithHeader(long address, int length) throws IOException {
    if (LibC.write(fd, address, length) < 0) {
      throw failure("write", Native.getLastError());
    }
  }

  private static Memory newIoVector() {
    Memory m = new Memory(IO_VECTOR_SIZE);
    m.clear();
    long header = Pointer.nativeValue(m) + 32;
    m.setLong(0, header);
    m.setLong(8, VNET_HDR_SIZE);
    return m;
  }

  private IOException failure(String call, int errno) {
    return new IOException(
        call + " on TUN " + interfaceName + " queue " + index + ": " + LibC.describe(errno));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      // the event memory is left to the GC: a reader still inside epoll_wait must not see it freed
      LibC.close(fd);
      LibC.close(epollFd);
      LibC.close(wakeFd);
    }
  }

  @Override
  public String toString() {
    return "TunQueue[" + interfaceName + "#" + index + "]";
  }
}
