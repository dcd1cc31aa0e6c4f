package io.vpngateway.gateway.tun;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Native base addresses of direct buffers, cached per thread. Java 17 has no public API for a
 * direct buffer's address, and JNA's {@link Native#getDirectBufferPointer} allocates a {@link
 * Pointer} on every call. A thread on the packet path reuses a handful of buffers, so a small
 * per-thread cache keyed by identity makes the lookup allocation-free in steady state.
 */
final class DirectBufferAddresses {
  private static final int WAYS = 4;

  private static final ThreadLocal<DirectBufferAddresses> PER_THREAD =
      ThreadLocal.withInitial(DirectBufferAddresses::new);

  private final ByteBuffer[] buffers = new ByteBuffer[WAYS];
  private final long[] addresses = new long[WAYS];
  private int next;

  private DirectBufferAddresses() {}

  /** The address of {@code buffer}'s element 0 (not of its position). */
  static long of(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("TUN I/O needs a direct ByteBuffer");
    }
    return PER_THREAD.get().lookup(buffer);
  }

  private long lookup(ByteBuffer buffer) {
    for (int i = 0; i < WAYS; i++) {
      if (buffers[i] == buffer) {
        return addresses[i];
      }
    }
    long address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    buffers[next] = buffer;
    addresses[next] = address;
    next = (next + 1) % WAYS;
    return address;
  }
}
