package io.vpngateway.gateway.sstp.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.sstp.message.SstpPacketReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SstpLinkTest {
  /** An IPv4-looking packet of {@code n} octets whose bytes say which one it is. */
  private static byte[] ip(int index, int n) {
    byte[] p = new byte[n];
    p[0] = 0x45;
    for (int i = 1; i < n; i++) {
      p[i] = (byte) (index + i);
    }
    return p;
  }

  @Test
  void dataAndControlPacketsArriveWholeAndInOrder() throws Exception {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    SstpLink link = new SstpLink(written, () -> {}, new LongAdder());
    Thread writer = new Thread(link::writeLoop);
    writer.start();
    int count = 2000;
    for (int i = 0; i < count; i++) {
      if (i % 100 == 0) {
        link.send(new byte[] {0x10, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00}, false);
      }
      // sizes from 20 to ~1500 octets: the buffer grows past its idle size and shrinks back
      ByteBuffer p = ByteBuffer.wrap(ip(i, 20 + (i * 37) % 1480));
      // the writer drains while we fill: wait for room rather than lose a packet
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
          .until(() -> link.sendIpv4(p));
    }
    link.closeAfterFlush();
    writer.join(10_000);
    SstpPacketReader reader =
        new SstpPacketReader(new ByteArrayInputStream(written.toByteArray()));
    int data = 0;
    int control = 0;
    while (reader.next()) {
      if (reader.isControl()) {
        control++;
        continue;
      }
      byte[] expected = ip(data, 20 + (data * 37) % 1480);
      byte[] got = new byte[reader.length() - 8];
      System.arraycopy(reader.buffer(), 8, got, 0, got.length);
      assertEquals(0xff, reader.buffer()[4] & 0xff);
      assertEquals(0x21, reader.buffer()[7]);
      assertArrayEquals(expected, got, "packet " + data);
      data++;
    }
    assertEquals(count, data);
    assertEquals(count / 100, control);
  }

  @Test
  void aFullQueueDropsDataButClosesForControl() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    OutputStream blocked =
        new OutputStream() {
          @Override
          public void write(int b) {}

          @Override
          public void write(byte[] b, int off, int len) throws java.io.IOException {
            try {
              entered.countDown();
              release.await();
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException();
            }
          }
        };
    LongAdder dropped = new LongAdder();
    AtomicBoolean closed = new AtomicBoolean();
    SstpLink link = new SstpLink(blocked, () -> closed.set(true), dropped);
    Thread writer = new Thread(link::writeLoop);
    writer.start();
    byte[] packet = ip(1, 1400);
    assertTrue(link.sendIpv4(ByteBuffer.wrap(packet)));
    assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)); // the writer is stuck
    int accepted = 0;
    for (int i = 0; i < 1000; i++) {
      if (link.sendIpv4(ByteBuffer.wrap(packet))) {
        accepted++;
      }
    }
    // the first packet is in the blocked write, the rest waits up to the data limit
    assertEquals(SstpLink.DATA_QUEUE_LIMIT / 1408, accepted);
    assertEquals(1000 - accepted, dropped.sum());
    assertFalse(closed.get());
    byte[] control = new byte[SstpLink.CONTROL_QUEUE_LIMIT];
    control[0] = 0x10;
    link.send(control, false); // cannot fit: a control packet is never dropped silently
    assertTrue(closed.get());
    release.countDown();
    writer.join(10_000);
    assertFalse(writer.isAlive());
  }
}
