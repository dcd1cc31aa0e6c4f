package io.vpngateway.gateway.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.vpngateway.testing.Prerequisites;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The native UDP socket on loopback: batched receive, GSO send, wake-up, dual stack. */
class UdpSocketTest {
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

  private UdpSocket socket;

  @AfterEach
  void close() {
    UdpSendBatch.disableForCurrentThread();
    if (socket != null) {
      socket.close();
    }
  }

  @Test
  void receivesManyDatagramsPerCallWithTheirSender() throws Exception {
    socket = UdpSocket.bind(LOOPBACK, false, 1 << 20);
    try (DatagramChannel peer = DatagramChannel.open().bind(LOOPBACK)) {
      for (int i = 0; i < 10; i++) {
        peer.send(ByteBuffer.wrap(datagram(100 + i, i)), socket.localAddress());
      }
      UdpReceiveBatch batch = new UdpReceiveBatch(32, 2048);
      int n = awaitReceive(batch, 10);
      assertEquals(10, n);
      ByteBuffer into = ByteBuffer.allocate(2048);
      InetSocketAddress first = batch.sender(0);
      assertEquals(peer.getLocalAddress(), first);
      for (int i = 0; i < n; i++) {
        assertEquals(100 + i, batch.length(i));
        into.clear();
        batch.copyTo(i, into);
        into.flip();
        assertEquals(ByteBuffer.wrap(datagram(100 + i, i)), into, "datagram " + i);
        assertSame(first, batch.sender(i), "one cached address for one sender");
      }
      assertEquals(0, socket.receive(batch), "nothing left, and no waiting");
    }
  }

  @Test
  void aLongerDatagramThanASlotIsFlaggedTruncated() throws Exception {
    socket = UdpSocket.bind(LOOPBACK, false, 0);
    try (DatagramChannel peer = DatagramChannel.open().bind(LOOPBACK)) {
      peer.send(ByteBuffer.wrap(datagram(500, 1)), socket.localAddress());
      UdpReceiveBatch batch = new UdpReceiveBatch(4, 128);
      assertEquals(1, awaitReceive(batch, 1));
      assertTrue(batch.truncated(0));
      assertEquals(128, batch.length(0));
    }
  }

  @Test
  void aSlotReusedAfterATruncatedDatagramReportsTheNextOneWhole() throws Exception {
    socket = UdpSocket.bind(LOOPBACK, false, 0);
    try (DatagramChannel peer = DatagramChannel.open().bind(LOOPBACK)) {
      UdpReceiveBatch batch = new UdpReceiveBatch(4, 128);
      peer.send(ByteBuffer.wrap(datagram(500, 1)), socket.localAddress());
      peer.send(ByteBuffer.wrap(datagram(90, 2)), socket.localAddress());
      assertEquals(2, awaitReceive(batch, 2));
      assertTrue(batch.truncated(0));
      assertEquals(0, socket.receive(batch), "nothing queued");
      peer.send(ByteBuffer.wrap(datagram(100, 3)), socket.localAddress());
      assertEquals(1, awaitReceive(batch, 1));
      assertFalse(batch.truncated(0), "slot 0's flags were reset after the truncated one");
      assertEquals(100, batch.length(0));
      ByteBuffer into = ByteBuffer.allocate(128);
      batch.copyTo(0, into);
      assertEquals(ByteBuffer.wrap(datagram(100, 3)), into.flip());
      assertEquals(peer.getLocalAddress(), batch.sender(0));
    }
  }

  @Test
  void aBatchOfEqualDatagramsLeavesInOneCallAndArrivesAsDatagrams() throws Exception {
    socket = UdpSocket.bind(LOOPBACK, false, 1 << 20);
    try (DatagramChannel peer = DatagramChannel.open().bind(LOOPBACK)) {
      peer.configureBlocking(false);
      NativeSocketAddress to = socket.peer((InetSocketAddress) peer.getLocalAddress());
      UdpSendBatch batch = UdpSendBatch.enableForCurrentThread();
      for (int i = 0; i < 20; i++) {
        batch.add(socket, to, ByteBuffer.wrap(datagram(1000, i)));
      }
      batch.add(socket, to, ByteBuffer.wrap(datagram(300, 20))); // shorter last one joins
      batch.add(socket, to, ByteBuffer.wrap(datagram(300, 21))); // after a short one: new batch
      batch.flush();
      assertEquals(22, batch.datagrams());
      if (socket.supportsSegmentation()) {
        assertEquals(2, batch.calls(), "21 datagrams in one sendmsg, then one more");
      }
      ByteBuffer in = ByteBuffer.allocate(2048);
      for (int i = 0; i < 22; i++) {
        in.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (peer.receive(in) == null) {
          assertTrue(System.nanoTime() < deadline, "datagram " + i + " arrived");
          Thread.onSpinWait();
        }
        in.flip();
        assertEquals(ByteBuffer.wrap(datagram(i < 20 ? 1000 : 300, i)), in, "datagram " + i);
      }
    }
  }

  @Test
  void batchedSendingAndReceivingAllocateNothingPerDatagram() throws Exception {
    Prerequisites.require(
        ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
        "the HotSpot thread allocation counter (com.sun.management)");
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    socket = UdpSocket.bind(LOOPBACK, false, 4 << 20);
    NativeSocketAddress self = socket.peer(socket.localAddress());
    UdpSendBatch batch = UdpSendBatch.enableForCurrentThread();
    UdpReceiveBatch received = new UdpReceiveBatch(32, 2048);
    ByteBuffer datagram = ByteBuffer.wrap(datagram(1400, 1));
    ByteBuffer into = ByteBuffer.allocate(2048);
    long[] count = new long[1];
    Runnable burst = () -> {
      try {
        for (int round = 0; round < 200; round++) {
          for (int i = 0; i < 32; i++) {
            batch.add(socket, self, datagram.clear());
          }
          batch.flush();
          for (int n; (n = socket.receive(received)) > 0; ) {
            for (int i = 0; i < n; i++) {
              into.clear();
              received.copyTo(i, into);
              count[0] += received.sender(i) != null ? 1 : 0;
            }
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    };
    burst.run(); // warm up
    // the least of three bursts: a one-time allocation of the JVM's (a deoptimisation that
    // re-materialises an object, on a loaded machine) showed up as ~900-1400 bytes in one burst;
    // an allocation per datagram would be in every burst (16 bytes each: 100 kB)
    long allocated = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 3; attempt++) {
      long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
      burst.run();
      allocated = Math.min(allocated,
          threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
    }
    assertTrue(allocated < 200 * 32 / 10, "bytes allocated for 6400 datagrams: " + allocated);
    assertTrue(count[0] > 0, "datagrams came back");
  }

  @Test
  void wakeupEndsAWaitWithoutADatagram() throws Exception {
    socket = UdpSocket.bind(LOOPBACK, false, 0);
    CountDownLatch returned = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        socket.awaitReadable(-1);
        returned.countDown();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    waiter.start();
    socket.wakeup();
    assertTrue(returned.await(5, TimeUnit.SECONDS), "the waiting thread returned");
    waiter.join(1000);
  }

  @Test
  void aDualStackSocketSeesIpv4PeersAsIpv4() throws Exception {
    socket = UdpSocket.bind(new InetSocketAddress(InetAddress.getByName("::"), 0), false, 0);
    try (DatagramChannel peer = DatagramChannel.open(java.net.StandardProtocolFamily.INET)
        .bind(LOOPBACK)) {
      peer.send(ByteBuffer.wrap(datagram(64, 3)),
          new InetSocketAddress("127.0.0.1", socket.localAddress().getPort()));
      UdpReceiveBatch batch = new UdpReceiveBatch(4, 2048);
      assertEquals(1, awaitReceive(batch, 1));
      InetSocketAddress from = batch.sender(0);
      assertTrue(from.getAddress() instanceof Inet4Address, "IPv4-mapped sender: " + from);
      assertEquals(peer.getLocalAddress(), from);
      // and replies reach it through the same socket
      NativeSocketAddress back = socket.peer(from);
      assertTrue(socket.send(ByteBuffer.wrap(datagram(64, 4)), back));
      ByteBuffer in = ByteBuffer.allocate(128);
      peer.receive(in);
      assertEquals(ByteBuffer.wrap(datagram(64, 4)), in.flip());
    }
  }

  private int awaitReceive(UdpReceiveBatch batch, int wanted) throws Exception {
    int got = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (got < wanted && System.nanoTime() < deadline) {
      socket.awaitReadable(100);
      got = socket.receive(batch);
    }
    return got;
  }

  private static byte[] datagram(int length, int tag) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (tag * 7 + i);
    }
    return b;
  }
}
