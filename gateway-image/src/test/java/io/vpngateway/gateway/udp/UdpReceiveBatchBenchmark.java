package io.vpngateway.gateway.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The user-space work of an idle ping's wake-up in {@link UdpReceiveBatch} around its {@code
 * recvmmsg}, without the system call: the headers reset before the receive, then the one
 * datagram's length, flags, sender and copy into the heap packet buffer, as the OpenVPN receive
 * thread does (32 slots of 64 KiB). The slot holds a real 124-byte datagram received once from
 * loopback. See BENCHMARKS.md ("Idle latency: fewer system calls and JNI calls per ping").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UdpReceiveBatchBenchmark {
  private UdpSocket socket;
  private UdpReceiveBatch batch;
  private final ByteBuffer packet = ByteBuffer.allocate(65536 + 32);

  @Setup
  public void setUp() throws Exception {
    socket = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0), false, 0);
    batch = new UdpReceiveBatch(32, 65536);
    try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      peer.send(ByteBuffer.allocate(124), socket.localAddress());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (socket.receive(batch) == 0 && System.nanoTime() < deadline) {
        socket.awaitReadable(100);
      }
    }
    if (batch.count() != 1) {
      throw new IllegalStateException("no datagram from loopback");
    }
  }

  @TearDown
  public void tearDown() {
    socket.close();
  }

  /** One wake-up's batch work for one datagram (the kernel's part left out). */
  @Benchmark
  public InetSocketAddress oneDatagram() {
    batch.prepare();
    batch.received(1);
    int length = batch.length(0);
    packet.clear();
    if (length > 0 && !batch.truncated(0)) {
      batch.copyTo(0, packet);
    }
    packet.flip();
    return batch.sender(0);
  }
}
