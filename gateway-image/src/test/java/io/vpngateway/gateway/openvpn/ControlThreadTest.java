package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
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

  /**
   * A flood of control packets (forged cookie echoes, say) that never lets the packet lane empty:
   * a test thread submits as fast as the queue takes them, and each packet task returns only once
   * another waits behind it. The tick (retransmissions, handshake windows, keepalives, expiry) must
   * still run when due, and packets must keep running between ticks. The old loop ran the tick
   * only on an empty lane: it never ticked here.
   */
  @Test
  void aFloodThatNeverEmptiesThePacketLaneDoesNotHoldBackTheTick() throws Exception {
    LongAdder discarded = new LongAdder();
    ControlThread control = new ControlThread(64, discarded);
    AtomicInteger ticks = new AtomicInteger();
    control.scheduleTick(ticks::incrementAndGet, () -> 50, 20);
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong packetsRun = new AtomicLong();
    Runnable packet = () -> {
      packetsRun.incrementAndGet();
      // the next flood packet is queued before this one returns
      while (flooding.get() && control.queuedPackets() == 0) {
        Thread.onSpinWait();
      }
    };
    Thread flooder = new Thread(() -> {
      while (flooding.get()) {
        if (control.queuedPackets() >= 64) {
          LockSupport.parkNanos(20_000); // full: the control thread is the bottleneck anyway
        } else {
          control.submitPacket(packet);
        }
      }
    }, "test-flooder");
    flooder.start();
    try {
      Awaitility.await("the flood is under way").atMost(Duration.ofSeconds(10))
          .until(() -> packetsRun.get() > 100);
      int ticksAtStart = ticks.get();
      Awaitility.await("three ticks under the flood").atMost(Duration.ofSeconds(10))
          .until(() -> ticks.get() >= ticksAtStart + 3);
      long packetsAfterTicks = packetsRun.get();
      Awaitility.await("packets still run between ticks").atMost(Duration.ofSeconds(10))
          .until(() -> packetsRun.get() > packetsAfterTicks + 100);
    } finally {
      flooding.set(false);
      flooder.join(5000);
      control.shutdown(5000);
    }
  }

  /** The other way round: a tick that is due on every turn still lets every packet through. */
  @Test
  void aTickDueOnEveryTurnDoesNotHoldBackPackets() throws Exception {
    ControlThread control = new ControlThread(256, new LongAdder());
    AtomicInteger ticks = new AtomicInteger();
    // each tick outlasts the 1 ms period it names, so the next is already due when it returns
    control.scheduleTick(() -> {
      ticks.incrementAndGet();
      long end = System.nanoTime() + 2_000_000;
      while (System.nanoTime() - end < 0) {
        Thread.onSpinWait();
      }
    }, () -> 1, 1);
    Awaitility.await("the tick runs").atMost(Duration.ofSeconds(10)).until(() -> ticks.get() > 0);
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 200; i++) {
      control.submitPacket(ran::incrementAndGet);
    }
    try {
      Awaitility.await("every packet ran").atMost(Duration.ofSeconds(20))
          .until(() -> ran.get() == 200);
    } finally {
      control.shutdown(5000);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
