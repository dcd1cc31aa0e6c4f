package io.vpngateway.gateway.admission;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limit of this replica: its share of the gateway's {@code maxConnections}, one
 * budget over all protocols (an OpenVPN client and an IKEv2 client take from the same count).
 */
final class ConnectionBudget {
  private final int capacity;
  private final AtomicInteger inUse = new AtomicInteger();

  ConnectionBudget(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** A slot, or null when the budget is used up. */
  ConnectionSlot tryTake() {
    while (true) {
      int n = inUse.get();
      if (n >= capacity) {
        return null;
      }
      if (inUse.compareAndSet(n, n + 1)) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
          if (released.compareAndSet(false, true)) {
            inUse.decrementAndGet();
          }
        };
      }
    }
  }

  int capacity() {
    return capacity;
  }

  int inUse() {
    return inUse.get();
  }
}
