package io.vpngateway.gateway.openvpn.transport;

import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client on its own TCP connection. OpenVPN frames each packet on a stream with a 2-byte
 * big-endian length prefix (openvpn {@code socket.c: stream_buf}).
 *
 * <p>{@link #send} never blocks: it copies the framed packet into a bounded per-connection queue
 * that the connection's own writer thread drains, so a client that stops reading (zero TCP
 * window) cannot stall the shared control thread or the TUN readers. When the queue is full, data
 * packets are dropped and counted (TCP-over-TCP recovers like any loss); a control packet is never
 * dropped silently: the connection is closed instead, as it is when the writer has made no
 * progress for {@link #STUCK_NANOS}.
 */
final class TcpLink implements OpenVpnLink {
  /** Queued bytes above which data packets are dropped. */
  static final int DATA_QUEUE_LIMIT = 256 * 1024;
  /** Queued bytes above which a control packet closes the connection. */
  static final int CONTROL_QUEUE_LIMIT = 512 * 1024;
  /** A writer blocked this long with work queued means the client stopped reading. */
  static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int WRITE_BATCH = 64 * 1024;

  private final SocketChannel channel;
  private final InetSocketAddress remote;
  private final LongAdder dataDropped;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private int queuedBytes;
  /** When the writer last made progress, or when the queue became non-empty. */
  private long progressNanos = System.nanoTime();
  private boolean writing;
  /** No more sends; the writer closes the socket once the queue is written. */
  private boolean closing;
  private boolean closed;

  TcpLink(SocketChannel channel, InetSocketAddress remote, LongAdder dataDropped) {
    this.channel = channel;
    this.remote = remote;
    this.dataDropped = dataDropped;
  }

  @Override
  public void send(ByteBuffer packet) {
    int n = packet.remaining();
    if (n == 0 || n > 0xffff) {
      return;
    }
    OpenVpnOpcode op = OpenVpnOpcode.ofHeaderByte(packet.get(packet.position()));
    boolean data = op != null && op.isData();
    long now = System.nanoTime();
    synchronized (this) {
      if (closed || closing) {
        return;
      }
      if (isStuck(now)) {
        closeLocked();
        return;
      }
      if (queuedBytes + n + 2 > (data ? DATA_QUEUE_LIMIT : CONTROL_QUEUE_LIMIT)) {
        if (data) {
          dataDropped.increment();
        } else {
          closeLocked();
        }
        return;
      }
      byte[] frame = new byte[n + 2];
      frame[0] = (byte) (n >>> 8);
      frame[1] = (byte) n;
      packet.get(frame, 2, n);
      if (queue.isEmpty()) {
        progressNanos = now;
      }
      queue.add(frame);
      queuedBytes += frame.length;
      notifyAll();
    }
  }

  /** True when frames have waited for the writer longer than {@link #STUCK_NANOS}. */
  synchronized boolean isStuck(long nowNanos) {
    return (writing || !queue.isEmpty()) && nowNanos - progressNanos > STUCK_NANOS;
  }

  /** Frames queued and not yet written, for tests and diagnostics. */
  synchronized int queuedBytes() {
    return queuedBytes;
  }

  /** The writer thread's loop: blocking writes of batched frames until the link closes. */
  void writeLoop() {
    ByteBuffer batch = ByteBuffer.allocate(WRITE_BATCH + 0x10001);
    try {
      while (true) {
        batch.clear();
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
          while (!queue.isEmpty() && (batch.position() == 0
              || batch.position() + queue.peek().length <= WRITE_BATCH)) {
            byte[] frame = queue.poll();
            queuedBytes -= frame.length;
            batch.put(frame);
          }
          writing = true;
          progressNanos = System.nanoTime();
        }
        batch.flip();
        while (batch.hasRemaining()) {
          channel.write(batch);
          synchronized (this) {
            progressNanos = System.nanoTime();
          }
        }
        synchronized (this) {
          writing = false;
        }
      }
    } catch (IOException e) {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
    }
  }

  @Override
  public InetSocketAddress remote() {
    return remote;
  }

  @Override
  public void updateRemote(InetSocketAddress newRemote) {
    // a TCP session cannot float
  }

  @Override
  public boolean isStream() {
    return true;
  }

  /**
   * Closes after what is already queued (a final RESTART or AUTH_FAILED) is written; a client
   * that does not read it is cut off by the stuck check.
   */
  @Override
  public synchronized void close() {
    closing = true;
    if (queue.isEmpty() && !writing) {
      closeLocked();
    } else {
      notifyAll();
    }
  }

  /** Closes now, discarding anything queued. */
  synchronized void abort() {
    closeLocked();
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized boolean isClosing() {
    return closing || closed;
  }

  private void closeLocked() {
    closed = true;
    queue.clear();
    queuedBytes = 0;
    notifyAll();
    try {
      // also wakes the reader and a writer blocked in write(): the session ends through the reader
      channel.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
