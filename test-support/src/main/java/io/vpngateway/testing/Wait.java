package io.vpngateway.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.ThrowingRunnable;

/**
 * The one way tests wait for something to happen (a log line, a counter, a session to end): poll
 * with Awaitility until the condition holds or the timeout passes, then fail with a message that
 * says what was awaited and what was seen. Never a fixed sleep.
 */
public final class Wait {
  private static final Duration POLL = Duration.ofMillis(50);

  private Wait() {}

  /**
   * Waits until {@code condition} is true.
   *
   * @param what what is awaited, for the failure message
   * @param seen what the test saw instead (e.g. a process's output), evaluated on failure only
   */
  public static void until(
      String what, Duration timeout, Callable<Boolean> condition, Supplier<String> seen) {
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + " within " + timeout + "; seen:\n" + seen.get(), e);
    }
  }

  public static void until(String what, Duration timeout, Callable<Boolean> condition) {
    until(what, timeout, condition, () -> "(nothing recorded)");
  }

  /** Waits until {@code assertion} passes; its last failure is the cause of the timeout. */
  public static void untilAsserted(String what, Duration timeout, ThrowingRunnable assertion) {
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .untilAsserted(assertion);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + " within " + timeout + ": " + e.getMessage(), e);
    }
  }
}
