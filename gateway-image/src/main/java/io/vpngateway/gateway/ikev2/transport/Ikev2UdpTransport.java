package io.vpngateway.gateway.ikev2.transport;

import io.vpngateway.gateway.ikev2.session.IkeEngine;
import io.vpngateway.gateway.ikev2.session.IkeTransport;
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
 * The IKEv2 sockets: UDP 500 for IKE, UDP 4500 for NAT traversal (RFC 3948). On port 4500 a
 * datagram is classified by its first octets (§2.2-§2.3): four zero octets (the non-ESP marker)
 * precede an IKE message, a single 0xFF octet is a NAT keepalive, anything else is ESP with its
 * SPI first.
 *
 * <p>Port 4500 has one socket per core ({@code SO_REUSEPORT}, at most 4): the kernel hashes each
 * client's address to one socket, so a client's ESP stays in order on one thread, which opens it
 * there (no hand-off on the data path) and writes the inner packets through its {@link
 * TcpSegmentCoalescer}. IKE messages are copied to the engine's control thread. Receive threads
 * drain their socket, wait {@code vpngw.udp.holdMicros} (as the OpenVPN receive threads) for
 * stragglers and flush before they sleep.
 */
public final class Ikev2UdpTransport implements IkeTransport, AutoCloseable {
  static final int BURST = 64;
  static final long HOLD_NANOS = Long.getLong("vpngw.udp.holdMicros", 50) * 1000;
  private static final System.Logger LOG = System.getLogger(Ikev2UdpTransport.class.getName());

  private volatile IkeEngine engine;
  private DatagramChannel ike;
  private final List<DatagramChannel> natT = new ArrayList<>();
  private final List<Selector> selectors = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  /** The engine datagrams go to; set before {@link #bind}. */
  public void attach(IkeEngine engine) {
    this.engine = engine;
  }

  /** Binds both ports and starts the receive threads; returns the bound IKE and NAT-T addresses. */
  public List<InetSocketAddress> bind(InetSocketAddress ikeAddress, InetSocketAddress natTAddress)
      throws IOException {
    ike = open();
    ike.bind(ikeAddress);
    int wanted = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    DatagramChannel first = open();
    boolean reusePort =
        wanted > 1 && first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    if (reusePort) {
      first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    }
    first.bind(natTAddress);
    natT.add(first);
    InetSocketAddress bound = (InetSocketAddress) first.getLocalAddress();
    for (int i = 1; reusePort && i < wanted; i++) {
      DatagramChannel more = open();
      more.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      more.bind(bound);
      natT.add(more);
    }
    start("ikev2-udp-500", () -> receiveLoop(ike, false));
    for (int i = 0; i < natT.size(); i++) {
      DatagramChannel ch = natT.get(i);
      start("ikev2-udp-4500-" + (i + 1), () -> receiveLoop(ch, true));
    }
    return List.of((InetSocketAddress) ike.getLocalAddress(), bound);
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private static DatagramChannel open() throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    return ch;
  }

  private void receiveLoop(DatagramChannel channel, boolean natTPort) {
    // heap buffers: the AEAD ciphers work on arrays without copying
    ByteBuffer packet = ByteBuffer.allocate(65536);
    ByteBuffer plain = ByteBuffer.allocate(65536 + 64);
    TcpSegmentCoalescer coalescer = natTPort ? TcpSegmentCoalescer.enableForCurrentThread() : null;
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
          packet.clear();
          InetSocketAddress from = (InetSocketAddress) channel.receive(packet);
          if (from == null && burst > 0 && HOLD_NANOS > 0 && natTPort) {
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
          dispatch(packet, from, natTPort, plain);
        } catch (ClosedChannelException | ClosedSelectorException e) {
          return;
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
          LOG.log(System.Logger.Level.DEBUG, "IKEv2 receive error", e);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        LOG.log(System.Logger.Level.ERROR, "IKEv2 receive thread cannot start", e);
      }
    }
  }

  private void dispatch(ByteBuffer packet, InetSocketAddress from, boolean natTPort,
      ByteBuffer plain) {
    IkeEngine e = engine;
    int n = packet.remaining();
    if (!natTPort) {
      if (n > 0) {
        byte[] m = new byte[n];
        packet.get(m);
        e.submit(m, from, false);
      }
      return;
    }
    if (n == 1 && (packet.get(0) & 0xff) == 0xff) {
      return; // NAT keepalive, RFC 3948 §2.3
    }
    if (n >= 4 && packet.getInt(0) == 0) {
      byte[] m = new byte[n - 4];
      packet.position(4);
      packet.get(m);
      e.submit(m, from, true);
      return;
    }
    e.receiveEsp(packet, plain);
  }

  private static void flush(TcpSegmentCoalescer coalescer) {
    if (coalescer == null) {
      return;
    }
    try {
      coalescer.flush();
    } catch (IOException ignored) {
      // TUN refused the batch (interface down); TCP retransmits
    }
  }

  @Override
  public void sendIke(byte[] message, InetSocketAddress to, boolean viaNatT) {
    try {
      if (viaNatT) {
        ByteBuffer b = ByteBuffer.allocate(4 + message.length);
        b.putInt(0).put(message).flip();
        natT.get(0).send(b, to);
      } else {
        ike.send(ByteBuffer.wrap(message), to);
      }
    } catch (IOException e) {
      // lossy by nature: the retransmission timers cover it
    }
  }

  @Override
  public void sendEsp(ByteBuffer packet, InetSocketAddress to) {
    try {
      natT.get(0).send(packet, to);
    } catch (IOException e) {
      // a full socket buffer drops the packet as a full link would
    }
  }

  @Override
  public void close() {
    closed = true;
    selectors.forEach(Selector::wakeup);
    List<DatagramChannel> all = new ArrayList<>(natT);
    if (ike != null) {
      all.add(ike);
    }
    for (DatagramChannel ch : all) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
