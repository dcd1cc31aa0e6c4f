package io.vpngateway.gateway.dataplane;

import io.vpngateway.gateway.tun.TunQueue;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets a thread that writes client packets into TUN take the kernel's immediate answers itself,
 * before it sleeps, instead of waking the queue's {@link TunReader} thread for them.
 *
 * <p>When a packet written to TUN is for the gateway host (a ping of its tunnel address, a DNS
 * query to a local resolver, a TCP segment whose ACK goes back at once), the kernel handles it
 * inside the {@code write(2)} and queues the answer on the TUN queue the flow was written to before
 * the call returns. Left to the queue's worker, the answer costs a second thread wake-up (on a
 * virtual machine, waking an idle vCPU: tens of microseconds) on top of the one that received the
 * request; openvpn's single event loop finds the answer readable at its next {@code poll} instead.
 * A thread with {@link #enableForCurrentThread} (an OpenVPN UDP receive thread) calls {@link
 * #take} before it waits: a non-blocking read of the queue it wrote to last, the answers encrypted
 * and sent by itself. The worker, woken by the kernel too, then finds nothing, and a lost race
 * costs one {@code read(2)} that returns {@code EAGAIN}.
 *
 * <p>Taking the answers is not enough by itself: the kernel also wakes the queue's worker inside
 * the write, and the scheduler usually lets the woken worker preempt the writer on its CPU, so the
 * worker read the answer first in most idle pings (86 % in a perf trace). So a quiet write is
 * framed by {@link #claim()} and {@link #release()}: the turn is held and the worker's wake-ups
 * with it ({@link TunQueue#holdReaderWakeups}), the write wakes nobody, the thread takes the
 * answer, and the release wakes the worker only if packets are left.
 *
 * <p>The caller limits this to quiet moments (a few packets since it woke): under load the worker
 * keeps the TUN direction. Even then the two threads never reorder a flow: a take reads only while
 * it can hold the queue's turn without waiting (the worker is not in a read-dispatch-flush burst)
 * and sends what it read before it gives the turn back ({@link TunReader#drain}).
 */
public final class TunReplies {
  private static final Logger LOG = Logger.getLogger(TunReplies.class.getName());
  private static final ThreadLocal<TunReplies> CURRENT = new ThreadLocal<>();

  private final Map<TunQueue, TunReader> readers = new IdentityHashMap<>();
  private TunQueue written;
  private Function<TunQueue, TunReader> newReader;
  /** The queue this thread's sink writes to (the last one written): what {@link #claim} holds. */
  private TunQueue home;

  private TunReader claimed;

  private TunReplies() {}

  /** Turns this on for the calling thread (idempotent). */
  public static TunReplies enableForCurrentThread() {
    TunReplies r = CURRENT.get();
    if (r == null) {
      r = new TunReplies();
      CURRENT.set(r);
    }
    return r;
  }

  /** The calling thread's, or null when it did not enable it. */
  static TunReplies current() {
    return CURRENT.get();
  }

  /** A {@link TunPacketSink} of this thread wrote to {@code queue}. */
  void wrote(TunQueue queue, Function<TunQueue, TunReader> readerFactory) {
    this.written = queue;
    this.home = queue;
    this.newReader = readerFactory;
  }

  /**
   * Before a quiet write (a thread that woke for a datagram or two, as an idle ping does): takes
   * the turn of the queue this thread writes to and holds its worker's wake-ups, so the answers the
   * kernel queues inside the coming writes wake nobody and the next {@link #take} finds them. False
   * (nothing held) before this thread's first write, or while the worker is in a burst. Every true
   * must be followed by {@link #release()}, in a {@code finally}; take before it.
   */
  public boolean claim() {
    if (home == null || claimed != null) {
      return false;
    }
    if (!home.isOpen()) { // the data plane was replaced: forget its queue and its reader
      readers.remove(home);
      home = null;
      return false;
    }
    TunReader reader = readers.computeIfAbsent(home, newReader);
    if (!reader.claim()) {
      return false;
    }
    claimed = reader;
    return true;
  }

  /** Ends a {@link #claim()}: the worker wakes for what was left, and gets its turn back. */
  public void release() {
    TunReader reader = claimed;
    if (reader != null) {
      claimed = null;
      reader.release();
    }
  }

  /**
   * Reads and dispatches up to {@code max} packets waiting on the queue written since the last
   * call (none when nothing was written, {@code max} is 0 or the queue's worker is in a burst);
   * the number taken. Their datagrams are sent (the thread's send batch is flushed) before this
   * returns. Every call forgets the queue written, so call it with 0 when skipping a take.
   */
  public int take(int max) {
    TunQueue queue = written;
    written = null;
    if (queue == null || max <= 0) {
      return 0;
    }
    try {
      return readers.computeIfAbsent(queue, newReader).drain(max);
    } catch (IOException e) {
      // the queue's worker reports a broken queue; here it only means no answer was taken
      LOG.log(Level.FINE, "reading answers from " + queue + " failed", e);
      return 0;
    }
  }
}
