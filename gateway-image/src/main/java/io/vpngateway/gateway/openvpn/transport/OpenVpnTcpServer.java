package io.vpngateway.gateway.openvpn.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * OpenVPN over TCP: an optional listener plus {@link #adopt}, through which a shared-port sniffer
 * (TCP 443 with SSTP) hands over a connection whose first bytes it already read. Each connection
 * gets a reader and a writer thread; its packets go to the {@link PacketHandler}.
 *
 * <p>Admission: at most {@link Limits#maxConnections} connections in all and {@link
 * Limits#maxPerSource} per client IP; more are closed at once. A connection whose client has not
 * produced a session within {@link Limits#unboundTimeoutNanos}, or whose writer is stuck on a
 * zero window, is closed by {@link #sweep}, which the server calls periodically.
 */
public final class OpenVpnTcpServer implements AutoCloseable {
  private final PacketHandler handler;
  private final LongAdder sendDropped;
  private final LongAdder refused;
  private final Limits limits;
  private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
  /** Connections admitted and not yet ended, per client IP; guarded by {@code this}. */
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private int admitted;
  private ServerSocketChannel listener;
  private Thread acceptor;
  private volatile boolean closed;

  /**
   * Connection limits.
   *
   * @param maxConnections open connections in all, bound to a session or not
   * @param maxPerSource open connections from one client IP
   * @param unboundTimeoutNanos how long a connection may stay without a session
   */
  public record Limits(int maxConnections, int maxPerSource, long unboundTimeoutNanos) {
    public Limits {
      if (maxConnections < 1 || maxPerSource < 1 || unboundTimeoutNanos <= 0) {
        throw new IllegalArgumentException("TCP limits must be positive");
      }
    }
  }

  /**
   * @param sendDropped counts data packets dropped because a client's send queue was full
   * @param refused counts connections closed by the limits (cap, per-source cap, no session)
   */
  public OpenVpnTcpServer(PacketHandler handler, Limits limits, LongAdder sendDropped,
      LongAdder refused) {
    this.handler = handler;
    this.limits = limits;
    this.sendDropped = sendDropped;
    this.refused = refused;
  }

  /** Binds and starts accepting; returns the bound address. */
  public InetSocketAddress listen(InetSocketAddress address) throws IOException {
    listener = ServerSocketChannel.open();
    listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    listener.bind(address, 256);
    acceptor = new Thread(this::acceptLoop, "openvpn-tcp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return (InetSocketAddress) listener.getLocalAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        adopt(listener.accept(), null);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /**
   * Takes over an accepted connection. {@code alreadyRead} (position to limit, may be null) holds
   * bytes a protocol sniffer consumed; they are processed before anything read from the socket.
   */
  public void adopt(SocketChannel channel, ByteBuffer alreadyRead) throws IOException {
    InetAddress source = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
    if (closed || !admit(source)) {
      refused.increment();
      channel.close();
      return;
    }
    TcpConnection c;
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      c = new TcpConnection(channel, alreadyRead, handler, sendDropped, this::ended);
    } catch (IOException | RuntimeException e) {
      release(source);
      channel.close();
      throw e;
    }
    connections.add(c);
    c.start("openvpn-tcp-" + channel.getRemoteAddress());
    if (closed) {
      c.link().close();
    }
  }

  /** Reserves a slot for a connection from {@code source}; false when a limit is reached. */
  private synchronized boolean admit(InetAddress source) {
    int fromSource = perSource.getOrDefault(source, 0);
    if (admitted >= limits.maxConnections() || fromSource >= limits.maxPerSource()) {
      return false;
    }
    perSource.put(source, fromSource + 1);
    admitted++;
    return true;
  }

  /** Frees the slot {@link #admit} reserved; called exactly once per admitted connection. */
  private synchronized void release(InetAddress source) {
    perSource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    admitted--;
  }

  private void ended(TcpConnection c) {
    if (connections.remove(c)) {
      release(c.link().remote().getAddress());
    }
  }

  /** Open connections, bound or not. */
  public int connections() {
    return connections.size();
  }

  /**
   * Closes connections that have had no session for longer than the unbound timeout and those
   * whose writer is stuck on a client that stopped reading. Any thread; cheap enough to run on
   * every server tick.
   */
  public void sweep(long nowNanos) {
    for (TcpConnection c : connections) {
      boolean unbound = c.session() == null
          && nowNanos - c.openedNanos() > limits.unboundTimeoutNanos();
      if (unbound || c.writerStuck(nowNanos)) {
        refused.increment();
        c.abort();
      }
    }
  }

  /** Stops accepting and closes every connection, bound or not. */
  @Override
  public void close() {
    closed = true;
    for (TcpConnection c : connections) {
      c.link().close();
    }
    if (listener != null) {
      try {
        listener.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
