package io.vpngateway.gateway.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * OpenVPN over TCP: one non-blocking connection per client, packets framed with openvpn's 2-byte
 * length prefix. A client keeps only a small buffer for a partly received frame and the frames
 * the kernel did not take yet.
 */
final class TcpWire implements Wire, EventLoop.Handler {
  private final SocketChannel channel;
  private final SelectionKey key;
  private final LoadClient client;
  private final EventLoop loop;
  private final LoadStats stats;
  private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
  private ByteBuffer in = ByteBuffer.allocate(2048);
  private boolean connected;
  private boolean closed;

  private TcpWire(SocketChannel channel, boolean connected, EventLoop loop, LoadClient client,
      LoadStats stats) throws IOException {
    this.channel = channel;
    this.loop = loop;
    this.client = client;
    this.stats = stats;
    this.connected = connected;
    this.key = channel.register(loop.selector(),
        connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
  }

  static TcpWire open(
      EventLoop loop, LoadClient client, InetAddress source, InetSocketAddress target,
      LoadStats stats) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.bind(new InetSocketAddress(source, 0));
      boolean done = ch.connect(target);
      return new TcpWire(ch, done, loop, client, stats);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void send(ByteBuffer packet) {
    if (closed) {
      return;
    }
    int n = packet.remaining();
    ByteBuffer frame = ByteBuffer.allocate(2 + n);
    frame.putShort((short) n).put(packet).flip();
    if (!connected || !pending.isEmpty()) {
      pending.add(frame);
      return;
    }
    try {
      channel.write(frame);
    } catch (IOException e) {
      stats.sendErrors.increment();
      return;
    }
    if (frame.hasRemaining()) {
      pending.add(frame);
      key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
    }
  }

  @Override
  public void onSelected(SelectionKey k) {
    try {
      if (k.isConnectable()) {
        channel.finishConnect();
        connected = true;
        key.interestOps(SelectionKey.OP_READ | (pending.isEmpty() ? 0 : SelectionKey.OP_WRITE));
      }
      if (k.isValid() && k.isWritable()) {
        flushPending();
      }
      if (k.isValid() && k.isReadable()) {
        read();
      }
    } catch (IOException e) {
      if (!closed) {
        client.onWireClosed("TCP: " + e.getMessage());
      }
    }
  }

  private void flushPending() throws IOException {
    while (!pending.isEmpty()) {
      ByteBuffer f = pending.peek();
      channel.write(f);
      if (f.hasRemaining()) {
        return;
      }
      pending.poll();
    }
    key.interestOps(SelectionKey.OP_READ);
  }

  private void read() throws IOException {
    while (!closed) {
      if (!in.hasRemaining()) {
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        bigger.put(in);
        in = bigger;
      }
      int n = channel.read(in);
      if (n < 0) {
        client.onWireClosed("TCP connection closed by the gateway");
        return;
      }
      if (n == 0) {
        return;
      }
      in.flip();
      while (!closed && in.remaining() >= 2) {
        int len = in.getShort(in.position()) & 0xffff;
        if (in.remaining() < 2 + len) {
          break;
        }
        ByteBuffer rx = loop.rx;
        rx.clear();
        rx.put(in.array(), in.position() + 2, len).flip();
        in.position(in.position() + 2 + len);
        client.onPacket(rx);
      }
      if (closed) {
        return;
      }
      in.compact();
    }
  }

  @Override
  public void close() {
    closed = true;
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
