package io.vpngateway.gateway.ikev2.transport;

import io.vpngateway.gateway.ikev2.session.IkeEngine;
import io.vpngateway.gateway.ikev2.session.IkeTransport;
import io.vpngateway.gateway.tun.TcpSegmentCoalescer;
import io.vpngateway.gateway.udp.NativeSocketAddress;
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
 * The IKEv2 sockets: UDP 500 for IKE, UDP 4500 for NAT traversal (RFC 3948), on the gateway's
 * native UDP transport ({@link UdpSocket}: {@code recvmmsg}, UDP GSO sends). On port 4500 a
 * datagram is classified by its first octets (§2.2-§2.3): four zero octets (the non-ESP marker)
 * precede an IKE message, a single 0xFF octet is a NAT keepalive, anything else is ESP with its
 * SPI first.
 *
 * <p>Port 4500 has one socket per core ({@code SO_REUSEPORT}, at most 4): the kernel hashes each
 * client's address to one socket, so a client's ESP stays in order on one thread, which opens it
 * there (no hand-off on the data path) and writes the inner packets through its {@link
 * TcpSegmentCoalescer}. IKE messages are copied to the engine's control thread (or, with {@code
 * -Dvpngw.ikev2.inline=true}, run on the receive thread when the engine is idle). A receive
 * thread takes up to {@link #BATCH} datagrams per call, drains its socket, and waits {@code
 * vpngw.udp.holdMicros} for stragglers while its coalescer holds a TCP run that could still grow
 * (as the OpenVPN receive threads). ESP to clients leaves through the calling thread's {@link
 * UdpSendBatch} when it has one (TUN readers, these receive threads): a TCP super-packet's
 * segments to one client go out in one GSO send.
 */
public final class Ikev2UdpTransport implements IkeTransport, AutoCloseable {
  static final int BURST = 64;
  static final int BATCH = 32;
  private static final int SLOT_SIZE = 65536;
  static final long HOLD_NANOS = Long.getLong("vpngw.udp.holdMicros", 50) * 1000;
  static final int SOCKET_BUFFER_BYTES = 4 << 20;
  /**
   * {@code -Dvpngw.ikev2.inline=true} runs an IKE message that came alone on its receive thread
   * when the engine is idle (see {@link #dispatch}). Off by default: in the steady-state bench
   * (BENCHMARKS.md, "Fewer wake-ups per handshake") it saved no CPU within the noise (control +
   * UDP threads 3.00 ms per handshake inline against 2.87 queued, load 6-12), while it makes a
   * receive thread's clients wait for IKE_AUTH's ~1 ms of work. Kept for a quieter machine's A/B.
   */
  static final boolean INLINE =
      Boolean.parseBoolean(System.getProperty("vpngw.ikev2.inline", "false"));
  private static final System.Logger LOG = System.getLogger(Ikev2UdpTransport.class.getName());

  /** A client address in the native form sends use (kept by sessions, compared by identity). */
  private record NativePeer(InetSocketAddress address, NativeSocketAddress natT,
      NativeSocketAddress ike) implements Peer {}

  /**
   * A peer of this transport's type that no socket sends to, for the start-up warm-up's in-memory
   * transport: the engine code it compiles then sees the same {@link Peer} class as real clients.
   * With the warm-up's own class as the only implementor loaded, the JIT compiled {@code
   * Peer.address()} calls as monomorphic, and the first real client's peer (this class, loaded
   * then) invalidated that code (IkeEngine.handleRequest, IkeSaInitResponder.handle and respond
   * among it), sending the handshake path back to the interpreter.
   */
  public static Peer detachedPeer(InetSocketAddress address) {
    return new NativePeer(address, null, null);
  }

  private volatile IkeEngine engine;
  private UdpSocket ike;
  private final List<UdpSocket> natT = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  /** The engine datagrams go to; set before {@link #bind}. */
  public void attach(IkeEngine engine) {
    this.engine = engine;
  }

  /** Binds both ports and starts the receive threads; returns the bound IKE and NAT-T addresses. */
  public List<InetSocketAddress> bind(InetSocketAddress ikeAddress, InetSocketAddress natTAddress)
      throws IOException {
    int wanted = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    try {
      ike = UdpSocket.bind(ikeAddress, false, SOCKET_BUFFER_BYTES);
      UdpSocket first = UdpSocket.bind(natTAddress, wanted > 1, SOCKET_BUFFER_BYTES);
      natT.add(first);
      for (int i = 1; i < wanted; i++) {
        natT.add(UdpSocket.bind(first.localAddress(), true, SOCKET_BUFFER_BYTES));
      }
    } catch (IOException e) {
      close();
      throw e;
    }
    start("ikev2-udp-500", () -> receiveLoop(ike, false));
    for (int i = 0; i < natT.size(); i++) {
      UdpSocket s = natT.get(i);
      start("ikev2-udp-4500-" + (i + 1), () -> receiveLoop(s, true));
    }
    return List.of(ike.localAddress(), natT.get(0).localAddress());
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void receiveLoop(UdpSocket socket, boolean natTPort) {
    // heap buffers: the AEAD ciphers work on arrays without copying
    ByteBuffer packet = ByteBuffer.allocate(SLOT_SIZE);
    ByteBuffer plain = ByteBuffer.allocate(SLOT_SIZE + 64);
    UdpReceiveBatch batch = new UdpReceiveBatch(BATCH, SLOT_SIZE);
    TcpSegmentCoalescer coalescer = natTPort ? TcpSegmentCoalescer.enableForCurrentThread() : null;
    UdpSendBatch sends = natTPort ? UdpSendBatch.enableForCurrentThread() : null;
    int sinceFlush = 0;
    while (!closed) {
      try {
        int n = socket.receive(batch);
        if (n == 0 && sinceFlush > 0 && HOLD_NANOS > 0 && coalescer != null
            && coalescer.hasOpenRun()) {
          LockSupport.parkNanos(HOLD_NANOS);
          n = socket.receive(batch);
        }
        if (n == 0) {
          flush(coalescer, sends);
          sinceFlush = 0;
          socket.awaitReadable(-1);
          continue;
        }
        for (int i = 0; i < n; i++) {
          if (batch.length(i) == 0 || batch.truncated(i)) {
            continue;
          }
          packet.clear();
          batch.copyTo(i, packet);
          packet.flip();
          dispatch(packet, batch.sender(i), natTPort, n == 1, plain);
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
        LOG.log(System.Logger.Level.WARNING, "IKEv2 UDP receive failed: " + e);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  /**
   * Hands a datagram on: ESP is opened here; an IKE message is queued for the control thread, or
   * with {@link #INLINE} runs on this thread when it came {@code alone} and the engine is idle
   * ({@link IkeEngine#receive}). Inline saves a thread wake-up per IKE datagram (20-70 us of CPU
   * and a cold working set each on the benchmark VM, ~3 per handshake; not visible in the bench
   * within its noise), but the thread does the message's work (IKE_AUTH's signature and
   * verification, ~1 ms) before it reads its socket again. So only a datagram that came alone: its
   * receive found nothing else waiting, no ESP of the clients
   * hashed to this socket queued behind it, and a burst (a flood of IKE_SA_INIT, traffic on the
   * socket) is queued to the control thread and the receive thread goes back to its socket at
   * once. ESP that arrives during inline work waits for it, as it would wait for the CPU the
   * control thread takes on a busy core.
   */
  private void dispatch(ByteBuffer packet, InetSocketAddress from, boolean natTPort,
      boolean alone, ByteBuffer plain) {
    IkeEngine e = engine;
    int n = packet.remaining();
    if (!natTPort) {
      byte[] m = new byte[n];
      packet.get(m);
      toEngine(e, m, from, false, alone);
      return;
    }
    if (n == 1 && (packet.get(0) & 0xff) == 0xff) {
      return; // NAT keepalive, RFC 3948 §2.3
    }
    if (n >= 4 && packet.getInt(0) == 0) {
      byte[] m = new byte[n - 4];
      packet.position(4);
      packet.get(m);
      toEngine(e, m, from, true, alone);
      return;
    }
    e.receiveEsp(packet, plain);
  }

  private static void toEngine(IkeEngine e, byte[] m, InetSocketAddress from, boolean natT,
      boolean alone) {
    if (alone && INLINE) {
      e.receive(m, from, natT);
    } else {
      e.submit(m, from, natT);
    }
  }

  private static void flush(TcpSegmentCoalescer coalescer, UdpSendBatch sends) {
    if (coalescer != null) {
      try {
        coalescer.flush();
      } catch (IOException ignored) {
        // TUN refused the batch (interface down); TCP retransmits
      }
    }
    if (sends != null) {
      sends.flush();
    }
  }

  @Override
  public Peer peer(InetSocketAddress address) {
    UdpSocket n = natT.isEmpty() ? null : natT.get(0);
    return new NativePeer(
        address, n == null ? null : n.peer(address), ike == null ? null : ike.peer(address));
  }

  @Override
  public void sendIke(byte[] message, InetSocketAddress to, boolean viaNatT) {
    // lossy by nature: the retransmission timers cover a drop
    if (viaNatT) {
      ByteBuffer b = ByteBuffer.allocate(4 + message.length);
      b.putInt(0).put(message).flip();
      UdpSocket s = natT.get(0);
      s.send(b, s.peer(to));
    } else {
      ike.send(ByteBuffer.wrap(message), ike.peer(to));
    }
  }

  @Override
  public void sendEsp(ByteBuffer packet, Peer to) {
    NativeSocketAddress destination = ((NativePeer) to).natT();
    UdpSocket via = natT.get(0);
    UdpSendBatch batch = UdpSendBatch.current();
    if (batch != null) {
      batch.add(via, destination, packet);
    } else {
      via.send(packet, destination); // a full socket buffer drops, as a full link would
    }
  }

  /** Stops the receive threads (waiting up to a second for them) and closes the sockets. */
  @Override
  public void close() {
    closed = true;
    List<UdpSocket> all = new ArrayList<>(natT);
    if (ike != null) {
      all.add(ike);
    }
    all.forEach(UdpSocket::wakeup);
    for (Thread t : threads) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    all.forEach(UdpSocket::close);
  }
}
