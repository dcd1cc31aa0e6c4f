package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class ControlThreadTest {
  @Test
  void aFullPacketQueueDropsAndCountsButInternalWorkStillRuns() throws Exception {
    LongAdder discarded = new LongAdder();
    ControlThread control = new ControlThread(4, discarded);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    control.submitPacket(() -> {
      blocked.countDown();
      await(release);
    });
    assertTrue(blocked.await(5, TimeUnit.SECONDS));
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 7; i++) {
      control.submitPacket(ran::incrementAndGet);
    }
    assertEquals(3, discarded.sum(), "packet work beyond the capacity is dropped and counted");
    CountDownLatch internalRan = new CountDownLatch(1);
    control.submitInternal(internalRan::countDown);
    assertEquals(3, discarded.sum(), "internal work is never counted as a drop");
    release.countDown();
    assertTrue(internalRan.await(5, TimeUnit.SECONDS), "internal work ran");
    control.shutdown(5000);
    assertEquals(4, ran.get());
  }

  @Test
  void anIdleTickWaitsItsPeriodAndPacketWorkBringsItForward() throws Exception {
    ControlThread control = new ControlThread(4, new LongAdder());
    AtomicInteger ticks = new AtomicInteger();
    control.scheduleTick(ticks::incrementAndGet, () -> 60_000, 20);
    Thread.sleep(300);
    assertEquals(0, ticks.get(), "an idle server does not tick before its period");
    control.submitPacket(() -> { });
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> ticks.get() == 1);
    Thread.sleep(300);
    assertEquals(1, ticks.get(), "after that tick the period is the idle one again");
    control.shutdown(5000);
    assertTrue(control.isShutdown());
  }

  @Test
  void internalWorkAlsoBringsTheTickForward() throws Exception {
    ControlThread control = new ControlThread(4, new LongAdder());
    AtomicInteger ticks = new AtomicInteger();
    control.scheduleTick(ticks::incrementAndGet, () -> 60_000, 20);
    Thread.sleep(300);
    assertEquals(0, ticks.get(), "an idle server does not tick before its period");
    control.submitInternal(() -> { }); // a session closed, a key switched
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> ticks.get() == 1);
    control.shutdown(5000);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
