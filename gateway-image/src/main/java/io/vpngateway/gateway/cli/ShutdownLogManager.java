package io.vpngateway.gateway.cli;

import java.util.logging.LogManager;

/**
 * The JDK's log manager, except that its own shutdown hook no longer closes the handlers: that
 * hook runs at the same time as ours ({@code vpngw serve}'s stop), so the lines of the stop
 * ("stopping the gateway", sessions ended, "stopping before the gateway was ready") were lost
 * whenever it came first (15 of 19 bench gateway logs ended without the stop line). The console
 * handler flushes every record, so nothing waits in a buffer when the JVM halts. Installed by
 * {@link Vpngw#main} through {@code java.util.logging.manager} (unless that is set), before any
 * logger exists.
 */
public final class ShutdownLogManager extends LogManager {
  /** The JDK's hook thread, {@code LogManager.Cleaner} (private; the same in Java 17 and 25). */
  private static final String CLEANER = LogManager.class.getName() + "$Cleaner";

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(CLEANER)) {
      return; // the JVM is halting: keep the handlers for the other shutdown hooks
    }
    super.reset();
  }
}
