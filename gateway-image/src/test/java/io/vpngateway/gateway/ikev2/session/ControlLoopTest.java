package io.vpngateway.gateway.ikev2.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class ControlLoopTest {
  private static final long MS = 1_000_000L;

  /** Timers whose next due time the test sets; each tick is recorded with its time. */
  private static final class FakeTimers implements ControlLoop.Timers {
    final AtomicLong due = new AtomicLong(ControlLoop.NEVER);
    final List<Long> ticks = new CopyOnWriteArrayList<>();
    final AtomicLong dueAtLastTick = new AtomicLong();
    volatile boolean clearOnTick = true;
    volatile int size;
    final AtomicInteger walks = new AtomicInteger();

    @Override
    public void tick() {
      dueAtLastTick.set(due.get());
      ticks.add(System.nanoTime());
      if (clearOnTick) {
        due.set(ControlLoop.NEVER);
      }
    }

    @Override
    public long nextDueNanos(long nowNanos) {
      walks.incrementAndGet();
      return due.get();
    }

    @Override
    public int size() {
      return size;
    }
  }

  @Test
  void sleepsUntilTheEarliestTimerAndNotAtAllWhenNothingIsTimed() {
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      // nothing timed: no tick, however long
      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
          .until(() -> timers.ticks.isEmpty());

      // work that sets a timer: the loop runs the tick when it is due, not before, and once
      long due = System.nanoTime() + 300 * MS;
      AtomicBoolean ran = new AtomicBoolean();
      loop.submitPacket(() -> {
        timers.due.set(due);
        ran.set(true);
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> timers.ticks.size() == 1);
      assertTrue(ran.get());
      assertTrue(timers.ticks.get(0) - due >= 0, "the tick ran before its timer was due");
      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
          .until(() -> timers.ticks.size() == 1);
    }
  }

  @Test
  void aTimerTheTickDoesNotClearComesBackAfterTheMinimumGapNotInABusyLoop() {
    FakeTimers timers = new FakeTimers();
    timers.clearOnTick = false;
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      loop.submitPacket(() -> timers.due.set(System.nanoTime()));
      await().atMost(Duration.ofSeconds(10)).until(() -> timers.ticks.size() >= 5);
      List<Long> t = List.copyOf(timers.ticks);
      for (int i = 1; i < t.size(); i++) {
        assertTrue(t.get(i) - t.get(i - 1) >= ControlLoop.MIN_GAP_NANOS,
            "ticks " + (t.get(i) - t.get(i - 1)) + " ns apart");
      }
      timers.due.set(ControlLoop.NEVER);
    }
  }

  @Test
  void inlineWorkRunsOnTheCallerUnderTheEngineLockWhenTheEngineIsIdle() throws Exception {
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      assertFalse(loop.holdsEngine());
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      AtomicBoolean held = new AtomicBoolean();
      assertTrue(loop.tryRunInline(() -> {
        ranOn.set(Thread.currentThread());
        held.set(loop.holdsEngine());
      }));
      assertEquals(Thread.currentThread(), ranOn.get());
      assertTrue(held.get());
      assertFalse(loop.holdsEngine());

      // the control thread holds the engine while it runs queued work: nothing runs inline then,
      // and queued work runs in order after it
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean controlHeld = new AtomicBoolean();
      List<Integer> order = new CopyOnWriteArrayList<>();
      loop.submitPacket(() -> {
        controlHeld.set(loop.holdsEngine());
        running.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        order.add(1);
      });
      assertTrue(running.await(10, TimeUnit.SECONDS));
      assertTrue(controlHeld.get());
      AtomicBoolean inlineRan = new AtomicBoolean();
      assertFalse(loop.tryRunInline(() -> inlineRan.set(true)), "ran while the engine was busy");
      loop.submitPacket(() -> order.add(2));
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
      assertEquals(List.of(1, 2), order);
      assertFalse(inlineRan.get());
    }
  }

  @Test
  void nothingRunsInlineWhileWorkIsQueued() throws Exception {
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      // not started: what is queued stays queued
      loop.submitPacket(() -> {});
      assertFalse(loop.tryRunInline(() -> {}));
      ControlLoop other = new ControlLoop(16, new LongAdder(), timers);
      other.submitInternal(() -> {});
      assertFalse(other.tryRunInline(() -> {}));
      other.start();
      other.close();
      loop.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.tryRunInline(() -> {}));
    }
  }

  @Test
  void inlineWorkThatBringsATimerForwardWakesTheSleepingThreadToRunIt() {
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      // the thread waits without a deadline; a far timer first, then inline work with a near one
      AtomicInteger inline = new AtomicInteger();
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.tryRunInline(() -> {
        timers.due.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(3600));
        inline.incrementAndGet();
      }));
      long near = System.nanoTime() + 200 * MS;
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.tryRunInline(() -> {
        timers.due.set(near);
        inline.incrementAndGet();
      }));
      await().atMost(Duration.ofSeconds(10)).until(() -> timers.ticks.size() == 1);
      assertEquals(near, timers.dueAtLastTick.get());
      assertTrue(timers.ticks.get(0) - near >= 0);
      assertEquals(2, inline.get());
    }
  }

  @Test
  void internalWorkRunsOnTheControlThreadAndAnInternalTaskRunsAtOnceUnderTheLock() {
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      AtomicReference<String> thread = new AtomicReference<>();
      loop.submitInternal(() -> thread.set(Thread.currentThread().getName()));
      await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null);
      assertEquals("ikev2-control", thread.get());
    }
  }

  @Test
  void aPeersLaterMessageNeverOvertakesItsQueuedOneTakenButNotYetRun() {
    // the control thread takes a packet off the queue before it has the lock: in that gap the
    // queue is empty and the lock free, and inline work used to run first (7 of 200 here)
    FakeTimers timers = new FakeTimers();
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), timers)) {
      loop.start();
      for (int trial = 0; trial < 500; trial++) {
        List<String> order = new CopyOnWriteArrayList<>();
        loop.submitPacket(() -> order.add("first"));
        // a receive thread trying inline all the while, as a peer's next datagram would
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!loop.tryRunInline(() -> order.add("second"))) {
          assertTrue(System.nanoTime() - giveUp < 0, "inline never ran");
          Thread.onSpinWait();
        }
        assertEquals(List.of("first", "second"), order, "trial " + trial);
      }
    }
  }

  @Test
  void aLargeEngineIsWalkedByItsTimersRunNotAfterEveryPacket() {
    FakeTimers timers = new FakeTimers();
    timers.size = ControlLoop.EXACT_REARM_LIMIT + 1;
    try (ControlLoop loop = new ControlLoop(64, new LongAdder(), timers)) {
      loop.start();
      for (int i = 0; i < 40; i++) {
        loop.submitPacket(() -> {});
        loop.tryRunInline(() -> {});
      }
      // the packets' work asked for a timers' run within the bound; that run walks once
      await().atMost(Duration.ofSeconds(10)).until(() -> timers.ticks.size() == 1);
      await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
          .until(() -> timers.ticks.size() == 1 && timers.walks.get() == 1);

      // a small engine is walked after each piece of work (its timers exact, no spare run)
      timers.size = 3;
      int before = timers.walks.get();
      for (int i = 0; i < 10; i++) {
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.tryRunInline(() -> {}));
      }
      assertEquals(before + 10, timers.walks.get());
      assertEquals(1, timers.ticks.size());
    }
  }

  @Test
  void nothingRunsInlineOnceTheLoopIsClosingAndTheLastWorkRunsOnItsThread() {
    FakeTimers timers = new FakeTimers();
    ControlLoop loop = new ControlLoop(16, new LongAdder(), timers);
    loop.start();
    AtomicReference<String> lastOn = new AtomicReference<>();
    loop.close(() -> lastOn.set(Thread.currentThread().getName()));
    assertEquals("ikev2-control", lastOn.get());
    AtomicBoolean ran = new AtomicBoolean();
    assertFalse(loop.tryRunInline(() -> ran.set(true)));
    assertFalse(ran.get());
  }

  @Test
  void earliestTreatsNeverAsNoTimeAndComparesAcrossTheNanoTimeWrap() {
    assertEquals(5, ControlLoop.earliest(ControlLoop.NEVER, 5));
    assertEquals(5, ControlLoop.earliest(5, ControlLoop.NEVER));
    assertEquals(ControlLoop.NEVER, ControlLoop.earliest(ControlLoop.NEVER, ControlLoop.NEVER));
    assertEquals(-7, ControlLoop.earliest(-7, 3));
    long nearWrap = Long.MAX_VALUE - 10;
    assertEquals(nearWrap, ControlLoop.earliest(nearWrap, nearWrap + 20)); // wraps negative
  }
}
