package io.vpngateway.gateway.ikev2.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class ControlLoopTest {
  private static final Duration TICK = Duration.ofMillis(ControlLoop.TICK_MILLIS);

  @Test
  void ticksWhileThereIsSomethingToTimeAndSleepsWhenIdleUntilWorkArrives() {
    AtomicInteger ticks = new AtomicInteger();
    AtomicBoolean idle = new AtomicBoolean(false);
    try (ControlLoop loop = new ControlLoop(16, new LongAdder(), ticks::incrementAndGet, idle::get)) {
      loop.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);

      // nothing to time: after the next tick the loop stops ticking
      idle.set(true);
      int settled = ticks.get() + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= settled);
      int asleepAt = ticks.get();
      await()
          .during(TICK.multipliedBy(4))
          .atMost(TICK.multipliedBy(10))
          .until(() -> ticks.get() == asleepAt);

      // a packet wakes it; while the engine has timers again it ticks again
      idle.set(false);
      AtomicBoolean ran = new AtomicBoolean();
      loop.submitPacket(() -> ran.set(true));
      await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() && ticks.get() >= asleepAt + 2);

      // internal work wakes it too (a close from another thread)
      idle.set(true);
      int before = ticks.get() + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= before);
      int asleepAgain = ticks.get();
      await().during(TICK.multipliedBy(3)).atMost(TICK.multipliedBy(8))
          .until(() -> ticks.get() == asleepAgain);
      AtomicBoolean internal = new AtomicBoolean();
      loop.submitInternal(() -> internal.set(true));
      await().atMost(Duration.ofSeconds(10)).until(internal::get);
      assertTrue(internal.get());
    }
  }
}
