package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How long the control thread may sleep after a tick, given a session's next deadline. */
class OpenVpnServerIdleTickTest {
  private static final long SLOW = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aDeadlineInTheFutureIsKept() {
    long now = 5_000_000_000L;
    assertEquals(now + 1, ServerTick.retryNoSoonerThanSlowTick(now + 1, now, SLOW));
    assertEquals(
        now + 7 * SLOW, ServerTick.retryNoSoonerThanSlowTick(now + 7 * SLOW, now, SLOW));
  }

  /**
   * A session's fast tick (a retransmission due) is kept while TCP clients are connected too;
   * those only cap the sleep at the slow tick that sweeps them.
   */
  @Test
  void theSleepIsTheEarliestDeadlineCappedBySweepingTcpOrTheIdleMaximum() {
    assertEquals(100, ServerTick.sleepMillis(100, true));
    assertEquals(100, ServerTick.sleepMillis(100, false));
    assertEquals(ServerTick.SLOW_TICK_MILLIS, ServerTick.sleepMillis(35_000, true));
    assertEquals(35_000, ServerTick.sleepMillis(35_000, false));
    assertEquals(
        ServerTick.MAX_IDLE_TICK_MILLIS, ServerTick.sleepMillis(Long.MAX_VALUE / 2, false));
    assertEquals(1, ServerTick.sleepMillis(-5, true), "a deadline passed: at once, not never");
  }

  /**
   * A renegotiation that fails (the TLS context refuses a new engine) leaves the session's
   * deadline where it was, in the past: the thread must not wake every millisecond for it.
   */
  @Test
  void aDeadlineTheTickLeftInThePastIsRetriedAtTheSlowTick() {
    long now = 5_000_000_000L;
    assertEquals(now + SLOW, ServerTick.retryNoSoonerThanSlowTick(now, now, SLOW));
    assertEquals(now + SLOW, ServerTick.retryNoSoonerThanSlowTick(now - 3 * SLOW, now, SLOW));
    // nanoTime may be negative and wrap: compare by difference
    long wrapped = Long.MAX_VALUE - 10;
    assertEquals(
        wrapped + SLOW, ServerTick.retryNoSoonerThanSlowTick(wrapped - 5, wrapped, SLOW));
  }
}
