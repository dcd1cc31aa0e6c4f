package io.vpngateway.gateway.openvpn;

import io.vpngateway.gateway.openvpn.session.OpenVpnClientSession;
import io.vpngateway.gateway.openvpn.transport.OpenVpnTcpServer;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The OpenVPN server's periodic work on its control thread ({@link ControlThread#scheduleTick}):
 * the tick sweeps the TCP connections and ticks every session, and each session names its next
 * deadline ({@link OpenVpnClientSession#nextTickNanos}), so the control thread sleeps until the
 * earliest of them ({@link #periodMillis}). Control thread only.
 */
final class ServerTick {
  private static final System.Logger LOG = System.getLogger(ServerTick.class.getName());
  /**
   * Tick period while handshakes run, and for a session with control work under way (see {@link
   * OpenVpnClientSession#nextTickNanos}): control retransmissions (1 s initial timeout) stay on
   * time. Every control packet also brings the next tick to within this period ({@link
   * ControlThread}), where the sessions name their next deadlines anew.
   */
  static final long FAST_TICK_MILLIS = 100;
  /**
   * Tick period while a session is not quiet (see {@link OpenVpnClientSession#nextTickNanos}) or a
   * TCP connection is open (the sweep): linger, byte and packet limits and key retirement are
   * counted in seconds, as openvpn's own timers are.
   */
  static final long SLOW_TICK_MILLIS = 1000;
  /**
   * Longest sleep of a server whose sessions are all quiet: each names its next deadline
   * (keepalive ping, ping-restart, timed renegotiation), so an idle server wakes for those only
   * (with the client's pings arriving, the keepalive deadline is 35 s out at the default 10/60:
   * ours rides theirs, see the session's SessionTimers). The cap bounds how late a session
   * whose traffic starts during the sleep has its byte and packet limits looked at again (the
   * packet-id soft limit, 0x10000000 packets before the hard one, leaves minutes of margin even
   * at a million packets a second).
   */
  static final long MAX_IDLE_TICK_MILLIS = 60_000;

  private final Collection<OpenVpnClientSession> sessions;
  private final OpenVpnTcpServer tcp;
  /** The earliest deadline the sessions named at the last tick. */
  private long nextSessionDeadlineNanos = System.nanoTime();

  /** @param sessions a live view of the server's sessions */
  ServerTick(Collection<OpenVpnClientSession> sessions, OpenVpnTcpServer tcp) {
    this.sessions = sessions;
    this.tcp = tcp;
  }

  /**
   * How long until the next tick (see {@link #FAST_TICK_MILLIS}). Not a fixed fast tick for some
   * seconds after every control packet: on this kind of VM each wake-up of a sleeping thread
   * costs it 20-100 us of CPU (BENCHMARKS.md, the handshake section), and a sequential connect
   * used to pay ~12 such ticks after its handshake had ended.
   */
  long periodMillis() {
    long now = System.nanoTime();
    // a handshaking session asks for the fast tick itself (nextTickNanos); one waiting minutes for
    // a web sign-in or a RADIUS challenge asks only for the slow one
    return sleepMillis(
        TimeUnit.NANOSECONDS.toMillis(nextSessionDeadlineNanos - now), tcp.connections() > 0);
  }

  /**
   * How long the control thread sleeps: until the sessions' earliest deadline, at most a slow
   * tick while TCP connections are open (the tick sweeps them) and at most a minute otherwise.
   */
  static long sleepMillis(long untilDeadlineMillis, boolean tcpConnectionsOpen) {
    long longest = tcpConnectionsOpen ? SLOW_TICK_MILLIS : MAX_IDLE_TICK_MILLIS;
    return Math.max(1, Math.min(untilDeadlineMillis, longest));
  }

  void run() {
    long now = System.nanoTime();
    tcp.sweep(now);
    long fast = TimeUnit.MILLISECONDS.toNanos(FAST_TICK_MILLIS);
    long slow = TimeUnit.MILLISECONDS.toNanos(SLOW_TICK_MILLIS);
    long next = now + TimeUnit.MILLISECONDS.toNanos(MAX_IDLE_TICK_MILLIS);
    for (OpenVpnClientSession s : sessions) {
      try {
        s.tick(now);
        long due = retryNoSoonerThanSlowTick(s.nextTickNanos(now, fast, slow), now, slow);
        if (due - next < 0) {
          next = due;
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "session " + s.id() + " failed", e);
        s.close("internal error");
      }
    }
    nextSessionDeadlineNanos = next;
  }

  /**
   * A session's next deadline as the control thread may sleep until it: a deadline the tick just
   * run has left in the past is one whose action failed (a renegotiation the TLS context refused,
   * say, after a bad reload), and is retried at the slow tick instead of every millisecond with a
   * warning each time. Package-private for the test.
   */
  static long retryNoSoonerThanSlowTick(long dueNanos, long nowNanos, long slowNanos) {
    return dueNanos - nowNanos > 0 ? dueNanos : nowNanos + slowNanos;
  }
}
