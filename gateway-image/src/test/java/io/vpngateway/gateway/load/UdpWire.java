package io.vpngateway.gateway.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** OpenVPN over UDP: one connected socket per client, from the client's own source address. */
final class UdpWire implements Wire, EventLoop.Handler {
  /** Datagrams read per readiness event before other clients get their turn. */
  private static final int READS_PER_EVENT = 16;

  private final DatagramChannel channel;
  private final SelectionKey key;
  private final LoadClient client;
  private final EventLoop loop;
  private final LoadStats stats;

  private UdpWire(DatagramChannel channel, EventLoop loop, LoadClient client, LoadStats stats)
      throws IOException {
    this.channel = channel;
    this.loop = loop;
    this.client = client;
    this.stats = stats;
    this.key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
  }

  static UdpWire open(
      EventLoop loop, LoadClient client, InetAddress source, InetSocketAddress target,
      LoadStats stats) throws IOException {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      ch.configureBlocking(false);
      ch.bind(new InetSocketAddress(source, 0));
      ch.connect(target);
      return new UdpWire(ch, loop, client, stats);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void send(ByteBuffer packet) {
    try {
      if (channel.write(packet) == 0) {
        stats.sendErrors.increment();
      }
    } catch (IOException e) {
      // e.g. ICMP port unreachable while the gateway restarts: the packet is lost, as on a network
      stats.sendErrors.increment();
    }
  }

  @Override
  public void onSelected(SelectionKey k) {
    ByteBuffer rx = loop.rx;
    for (int i = 0; i < READS_PER_EVENT && channel.isOpen(); i++) {
      rx.clear();
      int n;
      try {
        n = channel.read(rx);
      } catch (IOException e) {
        return; // port unreachable and the like: nothing to read
      }
      if (n <= 0) {
        return;
      }
      rx.flip();
      client.onPacket(rx);
    }
  }

  @Override
  public void close() {
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
