package io.vpngateway.gateway.openvpn.transport;

import io.vpngateway.gateway.dataplane.TunReplies;
import io.vpngateway.gateway.tun.TcpSegmentCoalescer;
import io.vpngateway.gateway.udp.UdpReceiveBatch;
import io.vpngateway.gateway.udp.UdpSendBatch;
import io.vpngateway.gateway.udp.UdpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * OpenVPN over UDP: one socket per core on the same port ({@code SO_REUSEPORT}; the kernel hashes
 * each client's 4-tuple to one socket, so a client's packets stay in order on one thread) and a
 * receive thread per socket, which decrypts data packets itself (no hand-off on the data path) and
 * passes control packets on. Replies may leave through any of the sockets: they share the local
 * address and port.
 *
 * <p>A receive thread takes up to {@link #BATCH} datagrams per system call ({@code recvmmsg}) from
 * its non-blocking {@link UdpSocket} and drains it before it waits (a receive that returns fewer
 * than asked for has drained it). What a burst decrypted is
 * written to TUN through the thread's {@link TcpSegmentCoalescer}, so the segments of one TCP flow
 * reach the kernel as one GSO packet; the coalescer is flushed before waiting and every {@link
 * #BURST} datagrams. Datagrams the thread itself sends (client-to-client traffic) go through its
 * {@link UdpSendBatch}.
 */
public final class OpenVpnUdpServer implements AutoCloseable {
  /** Datagrams handled between two flushes of the coalescer: bounds the added latency. */
  static final int BURST = 64;

  /** Datagrams per {@code recvmmsg} call. */
  static final int BATCH = 32;

  /** A slot holds any UDP datagram, so none is ever truncated. */
  private static final int SLOT_SIZE = 65536;

  /**
   * How long a receive thread waits for more datagrams once its socket is empty while its
   * coalescer holds a TCP run that could still grow (system property {@code
   * vpngw.udp.holdMicros}, 0 turns it off). This is a NIC's receive interrupt moderation ({@code
   * ethtool -C rx-usecs}): on an otherwise idle machine the thread would wake for every 2-3
   * datagrams and pay a context switch, a TUN write and an ACK for each few segments; waiting a
   * few tens of microseconds lets a burst grow to 15-25 segments per GSO packet. It is adaptive:
   * a burst with nothing that could merge (a ping, ACKs, a segment with PSH, UDP) is written and
   * the thread sleeps at once, so an isolated packet never waits.
   */
  static final long HOLD_NANOS = Long.getLong("vpngw.udp.holdMicros", 50) * 1000;

  /**
   * A thread that woke for at most this many datagrams takes the kernel's answers to what it wrote
   * into TUN itself before it sleeps again ({@link TunReplies}; system property {@code
   * vpngw.udp.replyPoll}, 0 turns it off): an idle ping's reply leaves without a second thread
   * waking up. Busier wake-ups leave the TUN direction to its worker threads. When the previous
   * wake was as quiet, the batch is written with the TUN worker's wake-ups held ({@link
   * TunReplies#claim}), flushed at once (no receive hold) and its answers (one per datagram; more
   * wake the worker at the release) sent before the thread waits again, without a receive that
   * would find the socket empty: one thread wake-up, no context switch and no system call that
   * returns {@code EAGAIN} per idle ping, as in openvpn's event loop.
   */
  static final int REPLY_POLL_MAX = Integer.getInteger("vpngw.udp.replyPoll", 4);

  /** Socket buffers asked for (the kernel caps them at net.core.rmem_max / wmem_max). */
  static final int SOCKET_BUFFER_BYTES = 4 << 20;

  private static final System.Logger LOG = System.getLogger(OpenVpnUdpServer.class.getName());

  private final PacketHandler handler;
  private final List<UdpSocket> sockets = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  public OpenVpnUdpServer(PacketHandler handler) {
    this.handler = handler;
  }

  /** Binds one socket per available core (at most 4) in one SO_REUSEPORT group. */
  public InetSocketAddress bind(InetSocketAddress address) throws IOException {
    int wanted = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    try {
      UdpSocket first = UdpSocket.bind(address, wanted > 1, SOCKET_BUFFER_BYTES);
      sockets.add(first);
      InetSocketAddress bound = first.localAddress();
      for (int i = 1; i < wanted; i++) {
        sockets.add(UdpSocket.bind(bound, true, SOCKET_BUFFER_BYTES));
      }
    } catch (IOException e) {
      sockets.forEach(UdpSocket::close);
      sockets.clear();
      throw e;
    }
    for (int i = 0; i < sockets.size(); i++) {
      UdpSocket socket = sockets.get(i);
      Thread t = new Thread(() -> receiveLoop(socket), "openvpn-udp-rx-" + (i + 1));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    LOG.log(System.Logger.Level.DEBUG, "UDP sockets {0}, segmentation offload {1}",
        sockets.size(), sockets.get(0).supportsSegmentation());
    return sockets.get(0).localAddress();
  }

  /** Number of receive sockets (and threads). */
  public int sockets() {
    return sockets.size();
  }

  /** A link to {@code remote}; it sends through the first socket (same local port as all). */
  public OpenVpnLink linkTo(InetSocketAddress remote) {
    return new UdpLink(sockets.get(0), remote);
  }

  private void receiveLoop(UdpSocket socket) {
    // heap buffers: the AEAD ciphers work on arrays without copying (see OpenVpnClientSession)
    ByteBuffer packet = ByteBuffer.allocate(SLOT_SIZE + 32);
    ByteBuffer scratch = ByteBuffer.allocate(SLOT_SIZE + 64);
    UdpReceiveBatch batch = new UdpReceiveBatch(BATCH, SLOT_SIZE);
    TcpSegmentCoalescer coalescer = TcpSegmentCoalescer.enableForCurrentThread();
    UdpSendBatch sends = UdpSendBatch.enableForCurrentThread();
    TunReplies replies = TunReplies.enableForCurrentThread();
    int sinceFlush = 0;
    int sinceWake = 0;
    int lastWake = 0;
    while (!closed) {
      try {
        int n = socket.receive(batch);
        if (n == 0 && sinceFlush > 0 && HOLD_NANOS > 0 && coalescer.hasOpenRun()) {
          LockSupport.parkNanos(HOLD_NANOS);
          n = socket.receive(batch);
        }
        if (n == 0) {
          flush(coalescer, sends);
          sinceFlush = 0;
          // under load, leave the answers to the worker (and forget the queue written)
          replies.take(sinceWake <= REPLY_POLL_MAX ? REPLY_POLL_MAX : 0);
          lastWake = sinceWake;
          sinceWake = 0;
          socket.awaitReadable(-1);
          continue;
        }
        // a quiet wake (this one and the last brought a datagram or two, as idle pings do): the
        // writes hold the TUN worker's wake-ups, and the answers leave before the next receive
        boolean quiet =
            sinceWake == 0
                && n <= REPLY_POLL_MAX
                && lastWake <= REPLY_POLL_MAX
                && REPLY_POLL_MAX > 0
                && replies.claim();
        sinceWake += n;
        try {
          for (int i = 0; i < n; i++) {
            int length = batch.length(i);
            if (length == 0) {
              continue;
            }
            packet.clear();
            batch.copyTo(i, packet);
            packet.flip();
            handler.onDatagram(packet, batch.sender(i), null, scratch);
          }
          if (quiet) {
            flush(coalescer, sends); // no receive hold on a quiet wake
            sinceFlush = 0;
            // an answer per datagram at most: the read that would find the queue empty is
            // spared, and a further answer wakes the worker when the claim is released
            replies.take(n);
          }
        } finally {
          if (quiet) {
            replies.release();
          }
        }
        if (quiet) {
          // the receive returned fewer datagrams than asked for, so the socket was empty then:
          // wait at once (poll is level-triggered: what came since ends it) instead of a receive
          // that finds nothing, one system call less per idle ping
          lastWake = sinceWake;
          sinceWake = 0;
          socket.awaitReadable(-1);
          continue;
        }
        sinceFlush += n;
        if (sinceFlush >= BURST) {
          flush(coalescer, sends);
          sinceFlush = 0;
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.log(System.Logger.Level.WARNING, "UDP receive failed: " + e);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  private static void flush(TcpSegmentCoalescer coalescer, UdpSendBatch sends) {
    try {
      coalescer.flush();
    } catch (IOException e) {
      // as for a single packet: TUN refused it (interface down); TCP retransmits
    }
    sends.flush();
  }

  /** Stops the receive threads (waiting up to a second for them) and closes the sockets. */
  @Override
  public void close() {
    closed = true;
    sockets.forEach(UdpSocket::wakeup);
    for (Thread t : threads) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    sockets.forEach(UdpSocket::close);
  }
}
