package io.vpngateway.gateway.tun;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Receive-side coalescing of TCP segments before they are written to TUN (what the kernel's GRO,
 * {@code net/ipv4/tcp_offload.c: tcp_gro_receive}, does for a NIC): consecutive in-order segments
 * of one TCP/IPv4 flow that a receive thread decrypted in one burst are written as one GSO
 * super-segment ({@code virtio_net_hdr} with {@code VIRTIO_NET_HDR_GSO_TCPV4}, see {@code
 * include/uapi/linux/virtio_net.h}). The kernel's TCP stack then handles one packet instead of up
 * to 45, which is most of the CPU a tunnel server spends per received byte.
 *
 * <p>Segments merge only when the merged packet is exactly what the sender's segments describe:
 * IPv4 without options and not fragmented; TCP with only ACK (and PSH on the last segment);
 * identical addresses, ports, TOS, TTL, DF, ack number, window and TCP options; contiguous
 * sequence numbers; consecutive IP ids; equal payload sizes except a shorter last one. Anything
 * else is written as it came, after what is pending, so the order of packets is kept. The merged
 * packet gets a fresh IP header checksum and carries the TCP pseudo-header sum with {@code
 * VIRTIO_NET_HDR_F_NEEDS_CSUM}, as a GSO packet must; the kernel re-segments it with correct
 * checksums if it forwards it. The segments' own TCP checksums are not re-verified: each segment
 * came out of an authenticated AEAD packet of the client that built it.
 *
 * <p>Up to {@value #MAX_FLOWS} flows are coalesced at once, each in its own run (as GRO keeps a
 * list of flows per NAPI poll): the streams of a client behind one tunnel arrive interleaved in a
 * burst, and a single run would end at every change of flow. A segment that cannot join its flow's
 * run flushes only that run; a packet that cannot be coalesced at all flushes every run first, so
 * packets of one flow never overtake each other and a non-TCP packet keeps its place too.
 *
 * <p>Batching is opt-in per thread: a receive loop calls {@link #enableForCurrentThread()} once
 * and {@link #flush()} whenever its socket has no more datagrams queued; writers on other threads
 * see {@link #current()} return {@code null} and write directly. Not thread-safe (one per thread).
 */
public final class TcpSegmentCoalescer {
  private static final ThreadLocal<TcpSegmentCoalescer> PER_THREAD = new ThreadLocal<>();

  /** Flows coalesced at once; a new flow beyond this flushes the oldest run. */
  static final int MAX_FLOWS = 4;

  private static final int HDR = TunQueue.VNET_HDR_SIZE;
  private static final int MAX_IP_LENGTH = 65535;
  private static final int TCP_ACK = 0x10;
  private static final int TCP_PSH = 0x08;
  private static final byte VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
  private static final byte VIRTIO_NET_HDR_GSO_TCPV4 = 1;

  private final Run[] runs = new Run[MAX_FLOWS];
  /** The run a new flow takes when all are busy (round robin: the one started longest ago). */
  private int nextEvicted;
  private long segmentsIn;
  private long packetsOut;

  private TcpSegmentCoalescer() {
    for (int i = 0; i < MAX_FLOWS; i++) {
      runs[i] = new Run();
    }
  }

  /** Turns batching on for the calling thread (idempotent) and returns its coalescer. */
  public static TcpSegmentCoalescer enableForCurrentThread() {
    TcpSegmentCoalescer c = PER_THREAD.get();
    if (c == null) {
      c = new TcpSegmentCoalescer();
      PER_THREAD.set(c);
    }
    return c;
  }

  /** Flushes and turns batching off for the calling thread. */
  public static void disableForCurrentThread() throws IOException {
    TcpSegmentCoalescer c = PER_THREAD.get();
    PER_THREAD.remove();
    if (c != null) {
      c.flush();
    }
  }

  /** The calling thread's coalescer, or {@code null} when it writes packets one by one. */
  public static TcpSegmentCoalescer current() {
    return PER_THREAD.get();
  }

  /**
   * Writes {@code packet} (position to limit, an IP packet) to {@code queue}, possibly later: it
   * may be held until {@link #flush()} or until a packet that cannot join it arrives. The buffer is
   * not retained; its position is unspecified afterwards.
   *
   * @throws IOException when writing this or a previously held packet failed (the held packet is
   *     dropped, the caller counts one loss)
   */
  public void offer(TunQueue queue, ByteBuffer packet) throws IOException {
    segmentsIn++;
    int p = packet.position();
    int length = packet.remaining();
    int thl = coalescibleTcpHeaderLength(packet, p, length);
    if (thl < 0) {
      flush();
      packetsOut++;
      queue.write(packet);
      return;
    }
    Run free = null;
    for (Run r : runs) {
      if (r.segments == 0) {
        if (free == null) {
          free = r;
        }
      } else if (r.sameFlow(queue, packet, p)) {
        if (r.canAppend(packet, p, length, thl)) {
          r.append(packet, p, length, thl);
        } else {
          flush(r);
          r.start(queue, packet, p, length, thl);
        }
        return;
      }
    }
    if (free == null) {
      free = runs[nextEvicted];
      nextEvicted = (nextEvicted + 1) % MAX_FLOWS;
      flush(free);
    }
    free.start(queue, packet, p, length, thl);
  }

  /** Writes what is pending, if anything. */
  public void flush() throws IOException {
    IOException failed = null;
    for (Run r : runs) {
      try {
        flush(r);
      } catch (IOException e) {
        failed = e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  private void flush(Run r) throws IOException {
    if (r.segments > 0) {
      packetsOut++;
      r.flush();
    }
  }

  /**
   * Whether a held run could still grow: some flow's last segment was a full-sized one without
   * PSH. When none could, waiting for more datagrams before {@link #flush()} gains nothing.
   */
  public boolean hasOpenRun() {
    for (Run r : runs) {
      if (r.segments > 0 && !r.closedForAppend) {
        return true;
      }
    }
    return false;
  }

  /** Segments offered so far (for tests and statistics). */
  public long segmentsIn() {
    return segmentsIn;
  }

  /** Packets written to TUN so far, super-segments counting once. */
  public long packetsOut() {
    return packetsOut;
  }

  /** The TCP header length when the packet may take part in coalescing, else -1. */
  private static int coalescibleTcpHeaderLength(ByteBuffer b, int p, int length) {
    if (length < 41 || b.get(p) != 0x45 || b.get(p + 9) != 6
        || (b.getShort(p + 6) & 0x3fff) != 0 || (b.getShort(p + 2) & 0xffff) != length
        || ipHeaderSum(b, p) != 0xffff) {
      return -1;
    }
    int thl = ((b.get(p + 32) & 0xff) >>> 4) * 4;
    int flags = b.get(p + 33) & 0xff;
    if (thl < 20 || 20 + thl >= length || (flags & ~(TCP_ACK | TCP_PSH)) != 0
        || (flags & TCP_ACK) == 0) {
      return -1;
    }
    return thl;
  }

  /** The segments of one flow held so far: the virtio header, then the merged IP packet. */
  private static final class Run {
    /** Big-endian IP packet fields via absolute gets/puts. */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(HDR + MAX_IP_LENGTH);

    private final long pendingAddress = Pointer.nativeValue(Native.getDirectBufferPointer(pending));
    /** The virtio header's fields are in host byte order. */
    private final ByteBuffer header = pending.duplicate().order(ByteOrder.nativeOrder());
    private TunQueue pendingQueue;
    private int pendingLength;
    private int segments;
    private int segmentSize;
    private int tcpHeaderLength;
    private int nextSeq;
    private int lastIpId;
    private boolean closedForAppend;

    /** Same queue, addresses and ports (the rest of the headers is checked by canAppend). */
    boolean sameFlow(TunQueue queue, ByteBuffer b, int p) {
      return queue == pendingQueue && b.getLong(p + 12) == pending.getLong(HDR + 12)
          && b.getInt(p + 20) == pending.getInt(HDR + 20);
    }

    boolean canAppend(ByteBuffer b, int p, int length, int thl) {
      int payload = length - 20 - thl;
      int q = HDR;
      if (closedForAppend || thl != tcpHeaderLength
          || payload > segmentSize || pendingLength + payload > MAX_IP_LENGTH
          || b.getInt(p + 24) != nextSeq
          || (b.getShort(p + 4) & 0xffff) != ((lastIpId + 1) & 0xffff)
          || b.get(p + 1) != pending.get(q + 1) || b.getInt(p + 6) != pending.getInt(q + 6)
          || b.getInt(p + 28) != pending.getInt(q + 28)
          || b.getShort(p + 34) != pending.getShort(q + 34)
          || b.getShort(p + 38) != pending.getShort(q + 38)) {
        return false;
      }
      for (int i = 40; i < 20 + thl; i += 4) {
        if (b.getInt(p + i) != pending.getInt(q + i)) {
          return false;
        }
      }
      return true;
    }

    void start(TunQueue queue, ByteBuffer b, int p, int length, int thl) {
      pending.put(HDR, b, p, length);
      pendingQueue = queue;
      pendingLength = length;
      segments = 1;
      tcpHeaderLength = thl;
      segmentSize = length - 20 - thl;
      nextSeq = b.getInt(p + 24) + segmentSize;
      lastIpId = b.getShort(p + 4) & 0xffff;
      closedForAppend = (b.get(p + 33) & TCP_PSH) != 0;
    }

    void append(ByteBuffer b, int p, int length, int thl) {
      int payload = length - 20 - thl;
      pending.put(HDR + pendingLength, b, p + 20 + thl, payload);
      pendingLength += payload;
      segments++;
      nextSeq += payload;
      lastIpId = (lastIpId + 1) & 0xffff;
      int flags = b.get(p + 33) & 0xff;
      if ((flags & TCP_PSH) != 0) {
        pending.put(HDR + 33, (byte) (pending.get(HDR + 33) | TCP_PSH));
      }
      // a short segment or PSH ends the run, as in tcp_gro_receive
      closedForAppend = payload < segmentSize || (flags & TCP_PSH) != 0;
    }

    /** Writes the run (the caller counts it) and empties it, even when the write fails. */
    void flush() throws IOException {
      TunQueue queue = pendingQueue;
      int length = pendingLength;
      if (segments > 1) {
        finishSuperSegment(length);
      } else {
        pending.putLong(0, 0L).putShort(8, (short) 0);
      }
      segments = 0;
      pendingQueue = null;
      queue.writeWithHeader(pendingAddress, HDR + length);
    }

    /** IP length and checksum, TCP pseudo-header sum, and the GSO virtio header. */
    private void finishSuperSegment(int length) {
      int q = HDR;
      pending.putShort(q + 2, (short) length);
      pending.putShort(q + 10, (short) 0);
      pending.putShort(q + 10, (short) ~ipHeaderSum(pending, q));
      int tcpLength = length - 20;
      long sum = (pending.getShort(q + 12) & 0xffff) + (pending.getShort(q + 14) & 0xffff)
          + (pending.getShort(q + 16) & 0xffff) + (pending.getShort(q + 18) & 0xffff)
          + 6 + tcpLength;
      pending.putShort(q + 36, (short) fold(sum));
      ByteBuffer h = header;
      h.put(0, VIRTIO_NET_HDR_F_NEEDS_CSUM);
      h.put(1, VIRTIO_NET_HDR_GSO_TCPV4);
      h.putShort(2, (short) (20 + tcpHeaderLength)); // hdr_len
      h.putShort(4, (short) segmentSize); // gso_size
      h.putShort(6, (short) 20); // csum_start: the TCP header
      h.putShort(8, (short) 16); // csum_offset: TCP checksum field
    }
  }

  /** One's-complement sum of the 20-byte IPv4 header at {@code at}, folded to 16 bits. */
  private static int ipHeaderSum(ByteBuffer b, int at) {
    long sum = 0;
    for (int i = 0; i < 20; i += 2) {
      sum += b.getShort(at + i) & 0xffff;
    }
    return fold(sum);
  }

  private static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }
}
