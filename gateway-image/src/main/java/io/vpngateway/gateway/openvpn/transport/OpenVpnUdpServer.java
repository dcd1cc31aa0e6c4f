package io.vpngateway.gateway.openvpn.transport;

import io.vpngateway.gateway.tun.TcpSegmentCoalescer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * OpenVPN over UDP: one socket per core on the same port ({@code SO_REUSEPORT}; the kernel hashes
 * each client's 4-tuple to one socket, so a client's packets stay in order on one thread) and a
 * receive thread per socket, which decrypts data packets itself (no hand-off on the data path) and
 * passes control packets on. Replies may leave through any of the sockets: they share the local
 * address and port. Buffers are reused; the JDK caches the sender address of consecutive
 * datagrams from one peer.
 *
 * <p>The sockets are non-blocking: a receive thread drains every datagram queued on its socket
 * (at most {@link #BURST} before it flushes), waits {@link #HOLD_NANOS} for stragglers, and only
 * then waits in its selector. What the burst
 * decrypted is written to TUN through the thread's {@link TcpSegmentCoalescer}, so the segments of
 * one TCP flow reach the kernel as one GSO packet; the coalescer is flushed before waiting.
 */
public final class OpenVpnUdpServer implements AutoCloseable {
  /** Datagrams handled between two flushes of the coalescer: bounds the added latency. */
  static final int BURST = 64;

  /**
   * How long a receive thread that just handled datagrams waits for more once its socket is empty,
   * before it flushes the coalescer and sleeps in its selector (system property {@code
   * vpngw.udp.holdMicros}, 0 turns it off). This is a NIC's receive interrupt moderation ({@code
   * ethtool -C rx-usecs}): on an otherwise idle machine the thread would wake for every 2-3
   * datagrams, and pay a context switch, a TUN write and an ACK for each few segments; waiting a
   * few tens of microseconds lets a burst grow to 15-25 segments per GSO packet. It adds at most
   * this wait (plus timer slack) to a packet's latency, and only while traffic is flowing.
   */
  static final long HOLD_NANOS = Long.getLong("vpngw.udp.holdMicros", 50) * 1000;

  private static final System.Logger LOG = System.getLogger(OpenVpnUdpServer.class.getName());

  private final PacketHandler handler;
  private final List<DatagramChannel> channels = new ArrayList<>();
  private final List<Selector> selectors = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  public OpenVpnUdpServer(PacketHandler handler) {
    this.handler = handler;
  }

  /** Binds one socket per available core (at most 4); falls back to one without SO_REUSEPORT. */
  public InetSocketAddress bind(InetSocketAddress address) throws IOException {
    int wanted = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    DatagramChannel first = open();
    boolean reusePort = wanted > 1
        && first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    if (reusePort) {
      first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    }
    first.bind(address);
    channels.add(first);
    InetSocketAddress bound = (InetSocketAddress) first.getLocalAddress();
    for (int i = 1; reusePort && i < wanted; i++) {
      DatagramChannel more = open();
      more.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      more.bind(bound);
      channels.add(more);
    }
    for (int i = 0; i < channels.size(); i++) {
      DatagramChannel ch = channels.get(i);
      Thread t = new Thread(() -> receiveLoop(ch), "openvpn-udp-rx-" + (i + 1));
      t.setDaemon(true);
      t.start();
    }
    return bound;
  }

  private static DatagramChannel open() throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    return ch;
  }

  /** Number of receive sockets (and threads). */
  public int sockets() {
    return channels.size();
  }

  /** A link to {@code remote}; it sends through the first socket (same local port as all). */
  public OpenVpnLink linkTo(InetSocketAddress remote) {
    return new UdpLink(channels.get(0), remote);
  }

  private void receiveLoop(DatagramChannel channel) {
    // heap buffers: the AEAD ciphers work on arrays without copying (see OpenVpnClientSession)
    ByteBuffer packet = ByteBuffer.allocate(65536 + 32);
    ByteBuffer scratch = ByteBuffer.allocate(65536 + 64);
    TcpSegmentCoalescer coalescer = TcpSegmentCoalescer.enableForCurrentThread();
    try (Selector selector = Selector.open()) {
      selectors.add(selector);
      if (closed) {
        return;
      }
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      int burst = 0;
      while (!closed) {
        try {
          packet.clear().limit(65536);
          InetSocketAddress from = (InetSocketAddress) channel.receive(packet);
          if (from == null && burst > 0 && HOLD_NANOS > 0) {
            LockSupport.parkNanos(HOLD_NANOS);
            from = (InetSocketAddress) channel.receive(packet);
          }
          if (from == null || ++burst >= BURST) {
            burst = 0;
            flush(coalescer);
            if (from == null) {
              selector.select();
              selector.selectedKeys().clear();
              continue;
            }
          }
          packet.flip();
          if (packet.hasRemaining()) {
            handler.onDatagram(packet, from, null, scratch);
          }
        } catch (ClosedChannelException | ClosedSelectorException e) {
          return;
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
        }
      }
    } catch (IOException e) {
      if (!closed) {
        LOG.log(System.Logger.Level.ERROR, "UDP receive thread cannot start", e);
      }
    }
  }

  private static void flush(TcpSegmentCoalescer coalescer) {
    try {
      coalescer.flush();
    } catch (IOException e) {
      // as for a single packet: TUN refused it (interface down); TCP retransmits
    }
  }

  @Override
  public void close() {
    closed = true;
    selectors.forEach(Selector::wakeup);
    for (DatagramChannel channel : channels) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
