package io.vpngateway.gateway.sstp.session;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sending half of one SSTP connection: whole SSTP packets go into a bounded queue that the
 * connection's writer thread drains into the TLS stream, batching what is queued into one write
 * (one TLS record of up to 16 KiB instead of one per packet).
 *
 * <p>{@link #send} never blocks, so a client that stops reading (zero TCP window) cannot stall
 * the TUN readers or the timer thread. When the queue is full, data packets are dropped and
 * counted (TCP inside recovers as from any loss); a control packet is never dropped silently: the
 * connection is closed instead, as it is when the writer has made no progress for {@link
 * #STUCK_NANOS}.
 */
final class SstpLink {
  static final int DATA_QUEUE_LIMIT = 256 * 1024;
  static final int CONTROL_QUEUE_LIMIT = 512 * 1024;
  static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int WRITE_BATCH = 32 * 1024;

  private final OutputStream out;
  private final Runnable closer;
  private final LongAdder dataDropped;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private int queuedBytes;
  private long progressNanos = System.nanoTime();
  private boolean writing;
  private boolean closing;
  private boolean closed;

  /**
   * @param out the TLS output stream
   * @param closer closes the socket (wakes a writer blocked in write and the reader)
   */
  SstpLink(OutputStream out, Runnable closer, LongAdder dataDropped) {
    this.out = out;
    this.closer = closer;
    this.dataDropped = dataDropped;
  }

  /** Queues one whole SSTP packet; {@code data} says whether it may be dropped when full. */
  void send(byte[] packet, boolean data) {
    long now = System.nanoTime();
    synchronized (this) {
      if (closed || closing) {
        return;
      }
      if (isStuck(now)) {
        closeLocked();
        return;
      }
      if (queuedBytes + packet.length > (data ? DATA_QUEUE_LIMIT : CONTROL_QUEUE_LIMIT)) {
        if (data) {
          dataDropped.increment();
        } else {
          closeLocked();
        }
        return;
      }
      if (queue.isEmpty()) {
        progressNanos = now;
      }
      queue.add(packet);
      queuedBytes += packet.length;
      notifyAll();
    }
  }

  synchronized boolean isStuck(long nowNanos) {
    return (writing || !queue.isEmpty()) && nowNanos - progressNanos > STUCK_NANOS;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** The writer thread's loop, until the link closes. */
  void writeLoop() {
    byte[] batch = new byte[WRITE_BATCH + 0x1000];
    try {
      while (true) {
        int n = 0;
        synchronized (this) {
          while (queue.isEmpty() && !closed && !closing) {
            wait();
          }
          if (closed) {
            return;
          }
          if (queue.isEmpty()) {
            closeLocked();
            return;
          }
          while (!queue.isEmpty() && (n == 0 || n + queue.peek().length <= WRITE_BATCH)) {
            byte[] p = queue.poll();
            queuedBytes -= p.length;
            System.arraycopy(p, 0, batch, n, p.length);
            n += p.length;
          }
          writing = true;
          progressNanos = System.nanoTime();
        }
        out.write(batch, 0, n);
        out.flush();
        synchronized (this) {
          writing = false;
          progressNanos = System.nanoTime();
        }
      }
    } catch (IOException e) {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
    }
  }

  /** No more sends; what is queued (a final Call Abort) is written, then the socket closes. */
  synchronized void closeAfterFlush() {
    closing = true;
    if (queue.isEmpty() && !writing) {
      closeLocked();
    } else {
      notifyAll();
    }
  }

  /** Closes now, discarding anything queued. */
  synchronized void close() {
    closeLocked();
  }

  private void closeLocked() {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queuedBytes = 0;
    notifyAll();
    closer.run();
  }
}
