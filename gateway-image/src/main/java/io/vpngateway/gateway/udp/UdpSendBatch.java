package io.vpngateway.gateway.udp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Send-side batching of datagrams (the counterpart of receive coalescing): consecutive datagrams
 * from one thread to one peer through one socket, all of one size but the last, are collected in
 * one buffer and leave in a single {@code sendmsg(2)} with UDP GSO ({@link
 * UdpSocket#sendSegments}). A TUN reader that turns one TCP super-packet from the kernel into 40
 * encrypted datagrams so makes one system call instead of 40, and the kernel walks its UDP/IP
 * output path once.
 *
 * <p>Opt-in per thread, like {@code tun.TcpSegmentCoalescer}: a loop calls {@link
 * #enableForCurrentThread()} once and {@link #flush()} before it waits for more work; senders on
 * that thread find it with {@link #current()}. A datagram waits at most until the thread's next
 * flush. Not thread-safe (one per thread).
 */
public final class UdpSendBatch {
  private static final ThreadLocal<UdpSendBatch> PER_THREAD = new ThreadLocal<>();

  /** Segments per GSO send ({@code UDP_MAX_SEGMENTS} is 64 on older kernels). */
  static final int MAX_SEGMENTS = Integer.getInteger("vpngw.udp.gsoSegments", 64);

  /** Bytes per GSO send: an IPv4 UDP datagram's payload is at most 65507 bytes. */
  static final int MAX_BYTES = 65000;

  private final Memory data = new Memory(MAX_BYTES);
  private final long dataAddress = Pointer.nativeValue(data);
  private final Memory message = new Memory(96);
  private UdpSocket socket;
  private NativeSocketAddress to;
  private int segmentSize;
  private int count;
  private int length;
  private boolean sealed;
  private long datagrams;
  private long calls;

  private UdpSendBatch() {
    message.clear();
  }

  /** Turns batching on for the calling thread (idempotent) and returns its batch. */
  public static UdpSendBatch enableForCurrentThread() {
    UdpSendBatch b = PER_THREAD.get();
    if (b == null) {
      b = new UdpSendBatch();
      PER_THREAD.set(b);
    }
    return b;
  }

  /** Flushes and turns batching off for the calling thread. */
  public static void disableForCurrentThread() {
    UdpSendBatch b = PER_THREAD.get();
    PER_THREAD.remove();
    if (b != null) {
      b.flush();
    }
  }

  /** The calling thread's batch, or null when it sends datagram by datagram. */
  public static UdpSendBatch current() {
    return PER_THREAD.get();
  }

  /**
   * Sends {@code datagram} (position to limit; consumed) to {@code to} through {@code via}, now or
   * at the next {@link #flush()}.
   */
  public void add(UdpSocket via, NativeSocketAddress destination, ByteBuffer datagram) {
    int n = datagram.remaining();
    if (count > 0 && !(via == socket && destination == to && !sealed && n <= segmentSize
        && count < MAX_SEGMENTS && length + n <= MAX_BYTES)) {
      flush();
    }
    if (!via.supportsSegmentation() || n > MAX_BYTES || !datagram.hasArray()) {
      datagrams++;
      calls++;
      via.send(datagram, destination);
      return;
    }
    data.write(length, datagram.array(), datagram.arrayOffset() + datagram.position(), n);
    datagram.position(datagram.limit());
    if (count == 0) {
      socket = via;
      to = destination;
      segmentSize = n;
    } else if (n < segmentSize) {
      sealed = true; // only the last segment may be shorter
    }
    count++;
    length += n;
  }

  /** Sends what is pending, if anything. */
  public void flush() {
    if (count == 0) {
      return;
    }
    UdpSocket s = socket;
    NativeSocketAddress destination = to;
    int c = count;
    int size = segmentSize;
    int total = length;
    count = 0;
    length = 0;
    sealed = false;
    socket = null;
    to = null;
    datagrams += c;
    if (c == 1) {
      calls++;
      s.sendNative(dataAddress, total, destination);
      return;
    }
    calls++;
    if (s.sendSegments(dataAddress, total, size, destination, message)) {
      return;
    }
    for (int off = 0; off < total; off += size) {
      calls++;
      s.sendNative(dataAddress + off, Math.min(size, total - off), destination);
    }
  }

  /** Datagrams sent through this batch so far. */
  public long datagrams() {
    return datagrams;
  }

  /** System calls those datagrams took. */
  public long calls() {
    return calls;
  }
}
