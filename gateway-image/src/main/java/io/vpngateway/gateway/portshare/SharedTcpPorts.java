package io.vpngateway.gateway.portshare;

import io.vpngateway.gateway.metrics.RateLimitedLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's TCP listeners, shared by protocols: one listener per port, whatever number of
 * protocols registered on it (TCP 443 carries OpenVPN over TCP and SSTP). Each accepted connection
 * is read until its first bytes say whose it is ({@link TcpProtocolHandler#match}), then handed to
 * that protocol with the bytes already read.
 *
 * <pre>
 *   accept ──▶ sniff (non-blocking, one selector thread for all ports)
 *                ├─ a handler says YES ──▶ blocking again ──▶ handler.adopt(channel, firstBytes)
 *                ├─ every handler says NO, or {@value #SNIFF_BYTES} bytes say nothing ──▶ closed
 *                └─ nothing within 10 s, or {@value #MAX_SNIFFING} already waiting ──▶ closed
 * </pre>
 *
 * A connection that never sends (a port scan, a slow-loris client) costs a selector key for at
 * most the sniff timeout, never a thread. The selector waits until the earliest sniff deadline, or
 * without a timeout when nothing is being sniffed, so an idle gateway's thread never wakes. Closed
 * connections are counted by reason ({@link #dropped()}, {@code
 * vpngw_dropped_packets_total{protocol="none"}}); a handler that throws loses
 * that connection only (counted, logged rate-limited).
 */
public final class SharedTcpPorts implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SharedTcpPorts.class.getName());
  private static final RateLimitedLog FAILURES = new RateLimitedLog(LOG, 5, 60, TimeUnit.SECONDS);

  /** The most bytes read before a protocol must have recognised the connection. */
  public static final int SNIFF_BYTES = 16;

  /** Connections waiting for their first bytes, over all ports; more are closed at accept. */
  public static final int MAX_SNIFFING = 1024;

  static final long SNIFF_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final InetAddress listenAddress;
  private final long sniffTimeoutNanos;
  private final Map<Integer, List<TcpProtocolHandler>> handlers = new LinkedHashMap<>();
  private final Map<Integer, Registration> registrations = new LinkedHashMap<>();
  private final LongAdder unrecognized = new LongAdder();
  private final LongAdder sniffTimeouts = new LongAdder();
  private final LongAdder sniffLimit = new LongAdder();
  private final LongAdder handOffFailures = new LongAdder();
  private Selector selector;
  private Thread thread;
  private volatile boolean closed;
  private int sniffing;
  /** Times the selector thread woke up (for the idle test: without sniffing, only for work). */
  private final LongAdder wakeups = new LongAdder();

  public SharedTcpPorts(InetAddress listenAddress) {
    this(listenAddress, SNIFF_TIMEOUT_NANOS);
  }

  SharedTcpPorts(InetAddress listenAddress, long sniffTimeoutNanos) {
    this.listenAddress = listenAddress;
    this.sniffTimeoutNanos = sniffTimeoutNanos;
  }

  /** Where a registered protocol's port is bound, once {@link #start()} ran. */
  public static final class Registration {
    private final int port;
    private volatile InetSocketAddress bound;

    private Registration(int port) {
      this.port = port;
    }

    public Optional<InetSocketAddress> address() {
      return Optional.ofNullable(bound);
    }

    public int requestedPort() {
      return port;
    }
  }

  /**
   * Adds {@code handler} to {@code port} (0 picks a free port, shared by every handler that asks
   * for port 0). Before {@link #start()} only; handlers of one port are asked in registration order.
   */
  public synchronized Registration register(int port, TcpProtocolHandler handler) {
    if (selector != null) {
      throw new IllegalStateException("register before start");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    handlers.computeIfAbsent(port, p -> new ArrayList<>()).add(handler);
    return registrations.computeIfAbsent(port, Registration::new);
  }

  /** Binds every registered port and starts the selector thread; nothing to do without any. */
  public synchronized void start() throws IOException {
    if (handlers.isEmpty() || selector != null) {
      return;
    }
    selector = Selector.open();
    try {
      for (Map.Entry<Integer, List<TcpProtocolHandler>> e : handlers.entrySet()) {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(new InetSocketAddress(listenAddress, e.getKey()), 256);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT, e.getValue());
        InetSocketAddress bound = (InetSocketAddress) listener.getLocalAddress();
        registrations.get(e.getKey()).bound = bound;
        LOG.info(
            "TCP "
                + bound
                + " serves "
                + e.getValue().stream().map(TcpProtocolHandler::name).toList());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    thread = new Thread(this::run, "tcp-ports");
    thread.setDaemon(true);
    thread.start();
  }

  /** A connection being sniffed. */
  private static final class Sniff {
    final List<TcpProtocolHandler> handlers;
    final ByteBuffer bytes = ByteBuffer.allocate(SNIFF_BYTES);
    final long deadlineNanos;

    Sniff(List<TcpProtocolHandler> handlers, long deadlineNanos) {
      this.handlers = handlers;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private record HandOff(SocketChannel channel, TcpProtocolHandler handler, ByteBuffer bytes) {}

  private void run() {
    List<HandOff> handOffs = new ArrayList<>();
    long waitMillis = 0; // 0: until a connection or close(); else until the next sniff deadline
    while (!closed) {
      try {
        selector.select(waitMillis);
        wakeups.increment();
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept(key);
          } else if (key.isReadable()) {
            read(key, handOffs);
          }
        }
        long now = System.nanoTime();
        long untilDeadline = expire(now);
        if (!handOffs.isEmpty()) {
          selector.selectNow(); // completes the cancellation of the handed-off keys
          handOffs.forEach(this::handOff);
          handOffs.clear();
        }
        waitMillis = untilDeadline == Long.MAX_VALUE ? 0 : Math.max(1, ceilMillis(untilDeadline));
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        handOffFailures.increment();
        FAILURES.log(Level.WARNING, "loop", "shared TCP ports: " + e, e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void accept(SelectionKey key) throws IOException {
    SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
    if (ch == null) {
      return;
    }
    if (sniffing >= MAX_SNIFFING) {
      sniffLimit.increment();
      ch.close();
      return;
    }
    ch.configureBlocking(false);
    ch.register(
        selector,
        SelectionKey.OP_READ,
        new Sniff(
            (List<TcpProtocolHandler>) key.attachment(), System.nanoTime() + sniffTimeoutNanos));
    sniffing++;
  }

  private void read(SelectionKey key, List<HandOff> handOffs) {
    Sniff s = (Sniff) key.attachment();
    SocketChannel ch = (SocketChannel) key.channel();
    int n;
    try {
      n = ch.read(s.bytes);
    } catch (IOException e) {
      n = -1;
    }
    if (n < 0) {
      drop(key, null); // the client went away before saying anything useful
      return;
    }
    ByteBuffer view = s.bytes.duplicate().flip();
    boolean undecided = false;
    for (TcpProtocolHandler h : s.handlers) {
      TcpProtocolHandler.Match m;
      try {
        m = h.match(view.duplicate());
      } catch (RuntimeException e) {
        m = TcpProtocolHandler.Match.NO;
      }
      if (m == TcpProtocolHandler.Match.YES) {
        key.cancel();
        sniffing--;
        handOffs.add(new HandOff(ch, h, view));
        return;
      }
      undecided |= m == TcpProtocolHandler.Match.NEED_MORE;
    }
    if (!undecided || !s.bytes.hasRemaining()) {
      drop(key, unrecognized);
    }
  }

  private void handOff(HandOff h) {
    try {
      h.channel().configureBlocking(true);
      h.handler().adopt(h.channel(), h.bytes());
    } catch (IOException | RuntimeException e) {
      handOffFailures.increment();
      FAILURES.log(
          Level.WARNING,
          h.handler().name(),
          "shared TCP port: " + h.handler().name() + " could not take a connection: " + e,
          e);
      try {
        h.channel().close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }

  /**
   * Closes the sniffed connections whose deadline passed; returns the nanoseconds from {@code now}
   * to the earliest remaining deadline ({@link Long#MAX_VALUE} when nothing is being sniffed).
   */
  private long expire(long now) {
    long next = Long.MAX_VALUE;
    for (SelectionKey key : selector.keys()) {
      if (key.isValid() && key.attachment() instanceof Sniff s) {
        long left = s.deadlineNanos - now;
        if (left < 0) {
          drop(key, sniffTimeouts);
        } else {
          next = Math.min(next, left);
        }
      }
    }
    return next;
  }

  private static long ceilMillis(long nanos) {
    return (nanos + 999_999) / 1_000_000;
  }

  /** How often the selector thread has woken up so far. */
  long wakeups() {
    return wakeups.sum();
  }

  private void drop(SelectionKey key, LongAdder counter) {
    key.cancel();
    sniffing--;
    if (counter != null) {
      counter.increment();
    }
    try {
      key.channel().close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Connections closed before reaching a protocol, by reason (for the metrics). */
  public Map<String, Long> dropped() {
    return Map.of(
        "Unrecognized", unrecognized.sum(),
        "SniffTimeout", sniffTimeouts.sum(),
        "SniffLimit", sniffLimit.sum(),
        "HandOffFailed", handOffFailures.sum());
  }

  /** Closes the listeners and the connections still being sniffed (handed-off ones are not ours). */
  @Override
  public synchronized void close() {
    closed = true;
    if (selector == null) {
      return;
    }
    selector.wakeup();
    if (thread != null) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SelectionKey key : selector.keys()) {
      try {
        key.channel().close();
      } catch (IOException ignored) {
        // closing
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
