package io.vpngateway.gateway.sstp.session;

import io.vpngateway.gateway.sstp.message.SstpPacketHeader;
import io.vpngateway.gateway.sstp.ppp.message.PppFrame;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sending half of one SSTP connection: whole SSTP packets are appended to a byte buffer that
 * the connection's writer thread swaps out and writes into the TLS stream in one call (JSSE cuts
 * it into 16 KiB records), so a burst costs one write instead of one per packet.
 *
 * <p>Data packets from the TUN readers are framed straight into that buffer ({@link #sendIpv4}:
 * SSTP header, PPP header, the IPv4 packet): one copy and no allocation per packet. The writer
 * keeps two buffers and swaps them, so the readers append to one while the other is written.
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
  /** Size of an idle connection's buffers; they grow under load and shrink back when idle. */
  static final int INITIAL_BUFFER = 16 * 1024;

  private final OutputStream out;
  private final Runnable closer;
  private final LongAdder dataDropped;
  /** What is queued: {@code pending[0, pendingLength)}, whole SSTP packets. */
  private byte[] pending = new byte[INITIAL_BUFFER];
  private int pendingLength;
  /** The writer's other buffer, null while it is being written. */
  private byte[] spare = new byte[INITIAL_BUFFER];
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
    synchronized (this) {
      int at = reserve(packet.length, data);
      if (at >= 0) {
        System.arraycopy(packet, 0, pending, at, packet.length);
        notifyAll();
      }
    }
  }

  /**
   * Queues the IPv4 packet {@code ip} (position to limit, consumed) as an SSTP data packet
   * carrying a PPP frame, written straight into the send buffer.
   *
   * @return false when it was dropped (queue full or link closed)
   */
  boolean sendIpv4(ByteBuffer ip) {
    int n = ip.remaining();
    int total = SstpPacketHeader.LENGTH + PppFrame.HEADER_LENGTH + n;
    synchronized (this) {
      int at = reserve(total, true);
      if (at < 0) {
        return false;
      }
      SstpPacketHeader.encode(pending, at, false, total);
      PppFrame.encodeHeader(pending, at + SstpPacketHeader.LENGTH, PppProtocol.IPV4);
      ip.get(pending, at + SstpPacketHeader.LENGTH + PppFrame.HEADER_LENGTH, n);
      notifyAll();
      return true;
    }
  }

  /** Makes room for {@code n} octets at the end of the queue; their offset, or -1 to drop. */
  private int reserve(int n, boolean data) {
    if (closed || closing) {
      return -1;
    }
    long now = System.nanoTime();
    if (isStuck(now)) {
      closeLocked();
      return -1;
    }
    if (pendingLength + n > (data ? DATA_QUEUE_LIMIT : CONTROL_QUEUE_LIMIT)) {
      if (data) {
        dataDropped.increment();
      } else {
        closeLocked();
      }
      return -1;
    }
    if (pendingLength == 0 && !writing) {
      progressNanos = now;
    }
    if (pendingLength + n > pending.length) {
      int size = Math.max(pending.length * 2, pendingLength + n);
      pending = Arrays.copyOf(pending, Math.min(size, CONTROL_QUEUE_LIMIT));
    }
    int at = pendingLength;
    pendingLength += n;
    return at;
  }

  synchronized boolean isStuck(long nowNanos) {
    return (writing || pendingLength > 0) && nowNanos - progressNanos > STUCK_NANOS;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** The writer thread's loop, until the link closes. */
  void writeLoop() {
    try {
      while (true) {
        byte[] batch;
        int n;
        synchronized (this) {
          while (pendingLength == 0 && !closed && !closing) {
            wait();
          }
          if (closed) {
            return;
          }
          if (pendingLength == 0) {
            closeLocked();
            return;
          }
          batch = pending;
          n = pendingLength;
          pending = spare;
          spare = null;
          pendingLength = 0;
          writing = true;
          progressNanos = System.nanoTime();
        }
        out.write(batch, 0, n);
        out.flush();
        synchronized (this) {
          // a buffer grown by a burst goes back to its idle size once the burst is over
          spare = batch.length > INITIAL_BUFFER && pendingLength == 0
              ? new byte[INITIAL_BUFFER]
              : batch;
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
    if (pendingLength == 0 && !writing) {
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
    pendingLength = 0;
    notifyAll();
    closer.run();
  }
}
