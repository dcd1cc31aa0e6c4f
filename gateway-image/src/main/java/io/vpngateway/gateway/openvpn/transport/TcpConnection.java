package io.vpngateway.gateway.openvpn.transport;

import io.vpngateway.gateway.protocol.ConnectionThreads;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One accepted or adopted TCP connection: a reader thread that splits the stream into packets by
 * their 2-byte length prefix and hands each to the {@link PacketHandler}, and a writer thread that
 * drains the {@link TcpLink}'s bounded send queue (so no other thread ever blocks on this
 * client's TCP window). The session bound to the connection is stored here by the server.
 */
public final class TcpConnection implements Runnable {
  private final SocketChannel channel;
  private final TcpLink link;
  private final PacketHandler handler;
  private final ByteBuffer alreadyRead;
  private final Consumer<TcpConnection> onEnd;
  private final long openedNanos = System.nanoTime();
  private volatile Object session;

  TcpConnection(SocketChannel channel, ByteBuffer alreadyRead, PacketHandler handler,
      LongAdder sendDropped) throws IOException {
    this(channel, alreadyRead, handler, sendDropped, c -> { });
  }

  /** {@code onEnd} runs once on the reader thread when the connection is over. */
  TcpConnection(SocketChannel channel, ByteBuffer alreadyRead, PacketHandler handler,
      LongAdder sendDropped, Consumer<TcpConnection> onEnd) throws IOException {
    this.channel = channel;
    this.onEnd = onEnd;
    this.link = new TcpLink(channel, (InetSocketAddress) channel.getRemoteAddress(), sendDropped);
    this.handler = handler;
    this.alreadyRead = alreadyRead == null ? ByteBuffer.allocate(0) : alreadyRead.slice();
  }

  /**
   * Starts the reader and writer threads (named after {@code name}): virtual threads where the JVM
   * has them (see {@link ConnectionThreads}).
   */
  void start(String name) {
    ConnectionThreads threads = ConnectionThreads.get();
    threads.start(name + "-tx", link::writeLoop);
    threads.start(name, this);
  }

  public OpenVpnLink link() {
    return link;
  }

  public Object session() {
    return session;
  }

  long openedNanos() {
    return openedNanos;
  }

  /** True when the writer has been blocked on the client's window too long (see TcpLink). */
  boolean writerStuck(long nowNanos) {
    return link.isStuck(nowNanos);
  }

  /** Closes the socket now, dropping unsent frames (limits, shutdown). */
  void abort() {
    link.abort();
  }

  public void bind(Object s) {
    session = s;
  }

  @Override
  public void run() {
    ByteBuffer frame = ByteBuffer.allocate(65535 + 32);
    ByteBuffer scratch = ByteBuffer.allocate(65536 + 64);
    ByteBuffer len = ByteBuffer.allocateDirect(2);
    try {
      channel.configureBlocking(true);
      while (true) {
        len.clear();
        fill(len);
        int n = len.flip().getShort() & 0xffff;
        if (n == 0) {
          continue;
        }
        frame.clear().limit(n);
        fill(frame);
        frame.flip();
        handler.onStreamPacket(this, frame, scratch);
      }
    } catch (IOException e) {
      // EOF or reset: the session ends below
    } finally {
      link.close();
      try {
        handler.onStreamClosed(this);
      } finally {
        onEnd.accept(this);
      }
    }
  }

  /** Fills {@code dst}, first from the bytes the port sniffer already consumed. */
  private void fill(ByteBuffer dst) throws IOException {
    while (dst.hasRemaining() && alreadyRead.hasRemaining()) {
      dst.put(alreadyRead.get());
    }
    while (dst.hasRemaining()) {
      if (channel.read(dst) < 0) {
        throw new EOFException();
      }
    }
  }
}
