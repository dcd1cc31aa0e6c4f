package io.vpngateway.gateway.load;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the simulated clients did, counted across every event loop. */
public final class LoadStats {
  /** Why a connection ended. */
  public enum EndCause {
    /** The generator ended it (churn, a lower target, the end of the run). */
    INTENTIONAL,
    /** The server told the client to reconnect (RESTART: revocation, disconnect, shutdown). */
    SERVER_RESTART,
    /** The server refused the client (AUTH_FAILED). */
    AUTH_FAILED,
    /** Nothing from the server for the pushed ping-restart time. */
    PING_TIMEOUT,
    /** No PUSH_REPLY within the handshake window. */
    HANDSHAKE_TIMEOUT,
    /** The TCP connection closed or could not be made. */
    TRANSPORT,
    /** A protocol error on the client side. */
    ERROR
  }

  final LongAdder connectAttempts = new LongAdder();
  final LongAdder established = new LongAdder();
  final LongAdder renegotiationsStarted = new LongAdder();
  final LongAdder renegotiationsCompleted = new LongAdder();
  final LongAdder echoSent = new LongAdder();
  final LongAdder echoReceived = new LongAdder();
  final LongAdder pingsSent = new LongAdder();
  final LongAdder controlDropped = new LongAdder();
  final LongAdder dataDropped = new LongAdder();
  final LongAdder sendErrors = new LongAdder();
  final LongAdder internalErrors = new LongAdder();
  private final Map<EndCause, LongAdder> ended = new EnumMap<>(EndCause.class);
  private long[] connectMillis = new long[1024];
  private int connectCount;

  LoadStats() {
    for (EndCause c : EndCause.values()) {
      ended.put(c, new LongAdder());
    }
  }

  void recordEnd(EndCause cause) {
    ended.get(cause).increment();
  }

  synchronized void connectTime(long nanos) {
    if (connectCount == connectMillis.length) {
      connectMillis = Arrays.copyOf(connectMillis, connectCount * 2);
    }
    connectMillis[connectCount++] = nanos / 1_000_000;
  }

  /** Clears the connect-time samples (before a measured phase). */
  public synchronized void resetConnectTimes() {
    connectCount = 0;
  }

  /** The {@code q} quantile (0..1) of connect times (reset to PUSH_REPLY) since the last reset. */
  public synchronized long connectMillisQuantile(double q) {
    if (connectCount == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(connectMillis, connectCount);
    Arrays.sort(sorted);
    return sorted[Math.min(connectCount - 1, (int) Math.floor(q * connectCount))];
  }

  public long established() {
    return established.sum();
  }

  public long connectAttempts() {
    return connectAttempts.sum();
  }

  public long ended(EndCause cause) {
    return ended.get(cause).sum();
  }

  public long renegotiationsStarted() {
    return renegotiationsStarted.sum();
  }

  public long renegotiationsCompleted() {
    return renegotiationsCompleted.sum();
  }

  public long echoSent() {
    return echoSent.sum();
  }

  public long echoReceived() {
    return echoReceived.sum();
  }

  public long internalErrors() {
    return internalErrors.sum();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append("connects ").append(connectAttempts.sum())
        .append(", established ").append(established.sum())
        .append(", renegotiations ").append(renegotiationsCompleted.sum()).append('/')
        .append(renegotiationsStarted.sum())
        .append(", echo ").append(echoReceived.sum()).append('/').append(echoSent.sum())
        .append(", pings ").append(pingsSent.sum())
        .append(", dropped control/data ").append(controlDropped.sum()).append('/')
        .append(dataDropped.sum())
        .append(", send errors ").append(sendErrors.sum())
        .append(", internal errors ").append(internalErrors.sum())
        .append(", ended");
    ended.forEach((c, n) -> {
      if (n.sum() > 0) {
        b.append(' ').append(c).append('=').append(n.sum());
      }
    });
    return b.toString();
  }
}
