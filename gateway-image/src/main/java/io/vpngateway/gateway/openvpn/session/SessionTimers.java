package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.crypto.DataChannelKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one {@link OpenVpnClientSession}, all on the tick's clock ({@link
 * System#nanoTime}): a key state's handshake window, an authentication's deadline, a refusal's
 * linger, the keepalive (ping and ping-restart, as pushed), the timed and counted renegotiation,
 * and from them when the session next needs the control thread ({@link #nextTickNanos}). The
 * session's tick acts on them (closes, pings, renegotiates); this class only says when. Control
 * thread only.
 */
final class SessionTimers {
  private static final long HANDSHAKE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long REFUSED_LINGER_NANOS = TimeUnit.SECONDS.toNanos(3);
  /** Beyond the wait announced to a client, for its last answer to arrive. */
  private static final long AUTH_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final SessionHost host;
  private final SessionDataChannel data;

  private long refusedAtNanos;
  private long authenticationDeadlineNanos;
  /** What the last PUSH_REPLY told the client (see {@link #keepalive}); null before it. */
  private Keepalive pushedKeepalive;
  /** Data bytes both ways when {@link #nextTickNanos} last looked: tells moving from quiet. */
  private long bytesAtLastLook = -1;

  SessionTimers(SessionHost host, SessionDataChannel data) {
    this.host = host;
    this.data = data;
  }

  /** When a key state started at {@code now} must have finished its handshake. */
  long handshakeDeadline(long now) {
    return now + HANDSHAKE_WINDOW_NANOS;
  }

  /** The authentication (a network backend) must be decided by {@code deadlineNanos}. */
  void authenticateBy(long deadlineNanos) {
    authenticationDeadlineNanos = deadlineNanos;
  }

  /** The client was told to wait {@code wait} for its authentication (AUTH_PENDING). */
  void authenticationAnnounced(Duration wait) {
    authenticationDeadlineNanos = System.nanoTime() + wait.toNanos() + AUTH_GRACE_NANOS;
  }

  boolean authenticationOverdue(long now) {
    return now - authenticationDeadlineNanos > 0;
  }

  /** The session was refused at {@code now}: it lingers so AUTH_FAILED gets through. */
  void refused(long now) {
    refusedAtNanos = now;
  }

  boolean refusalLingerOver(long now) {
    return now - refusedAtNanos > REFUSED_LINGER_NANOS;
  }

  /** A PUSH_REPLY carrying the keepalive of {@code settings} went to the client. */
  void pushed(OpenVpnServerSettings settings) {
    pushedKeepalive = new Keepalive(settings.keepaliveInterval().toNanos(),
        settings.keepaliveTimeout().toNanos(), settings.keepaliveTimeout().toSeconds());
  }

  /**
   * The keepalive this session keeps: what its client was pushed ({@code ping}, {@code
   * ping-restart}), which the client keeps until it reconnects, so a reload that shortens the
   * server's values must not make us drop a client that pings at its old interval (nor a longer
   * one make it wait for pings we no longer send in time); before the push, the server's current
   * values. Renegotiation is not pushed (the client answers a soft reset whenever it comes), so
   * reneg-sec and reneg-bytes follow a reload at once: a key lifetime shortened by policy reaches
   * live sessions too.
   */
  Keepalive keepalive() {
    Keepalive pushed = pushedKeepalive;
    if (pushed != null) {
      return pushed;
    }
    OpenVpnServerSettings s = host.settings();
    return new Keepalive(s.keepaliveInterval().toNanos(), s.keepaliveTimeout().toNanos(),
        s.keepaliveTimeout().toSeconds());
  }

  /** A keepalive as pushed: ping interval and ping-restart timeout. */
  record Keepalive(long intervalNanos, long timeoutNanos, long timeoutSeconds) {}

  /**
   * Whether the data key {@code k} (the one we send with) is due for renegotiation at {@code
   * now}: reneg-sec, reneg-bytes, or its packet counter nearing its limit.
   */
  boolean renegotiationDue(long now, DataChannelKey k) {
    long reneg = host.settings().renegotiateAfter().toNanos();
    long bytes = host.settings().renegotiateBytes();
    return (reneg > 0 && now - k.createdNanos() > reneg)
        || (bytes > 0 && k.bytes() > bytes)
        || data.packetLimitNear();
  }

  /**
   * The latest time ({@link System#nanoTime}) at which the session's tick must run again; call
   * after a tick, on a session not closed. A quiet established session (one active key,
   * everything acknowledged, no key change under way, no data since the last look) needs the
   * control thread only for its keepalive ping, its ping-restart and its timed renegotiation, so
   * an idle server sleeps until the first of those. Control work under way (the handshake, the
   * wait for the push request, a key state in its TLS handshake or key method, a control message
   * of ours not yet acknowledged) asks for the next tick within {@code fastNanos}:
   * retransmissions stay on time. An authentication's deadline, a refusal's linger, a key change
   * waiting for its promotion or retirement, and moving traffic (whose byte and packet limits the
   * tick checks) ask within {@code slowNanos}: those are counted in seconds. (A control packet
   * from the client brings the next tick within the fast period anyway: {@code ControlThread}.)
   */
  long nextTickNanos(long now, long fastNanos, long slowNanos, OpenVpnClientSession.Phase phase,
      KeyState[] keyStates, int currentKeyId) {
    // keepalive pings are not traffic: a quiet session stays quiet across the client's ping and
    // ours (the ping's own deadline brings the next tick anyway)
    long bytes = data.bytesIn() + data.bytesOut() - data.keepaliveBytes();
    boolean moved = bytes != bytesAtLastLook;
    bytesAtLastLook = bytes;
    // the handshake's own timers; the client's push request is a packet, which brings the next
    // tick anyway, and our unacknowledged messages ask for the fast tick below
    boolean control = phase == OpenVpnClientSession.Phase.HANDSHAKING;
    // counted in seconds: an authentication's deadline, a refusal's linger, traffic, key changes
    boolean seconds = phase != OpenVpnClientSession.Phase.ESTABLISHED || moved
        || data.pendingKeyId() >= 0 || data.retiring();
    for (int i = 0; i < keyStates.length; i++) {
      KeyState ks = keyStates[i];
      if (ks == null) {
        continue;
      }
      boolean handshaking = ks.state == KeyState.State.TLS_HANDSHAKE
          || ks.state == KeyState.State.AWAIT_KEY_METHOD;
      // a failed key state retransmits nothing (tick)
      if (ks.state != KeyState.State.FAILED && (handshaking || !ks.reliable.allAcked())) {
        control = true;
      }
      if (i != currentKeyId || ks.state != KeyState.State.ACTIVE) {
        seconds = true;
      }
    }
    if (control) {
      return now + fastNanos;
    }
    if (seconds) {
      return now + slowNanos;
    }
    // the session's tick checks strictly (elapsed > limit): one millisecond past makes them due
    long margin = TimeUnit.MILLISECONDS.toNanos(1);
    long timeout = keepalive().timeoutNanos();
    long next = data.lastReceivedNanos() + timeout;
    next = Math.min(next, data.lastSentNanos() + keepaliveFallbackNanos(now));
    DataChannelKey k = data.sendKey();
    long reneg = host.settings().renegotiateAfter().toNanos();
    if (k != null && reneg > 0) {
      next = Math.min(next, k.createdNanos() + reneg);
    }
    return next + margin;
  }

  /**
   * How long after our last packet the control thread sends a keepalive ping itself. While the
   * client's pings come (one within the last interval), ours rides them on the thread they wake
   * ({@link SessionDataChannel#keepaliveRide}) and the control thread only backs that up, half the
   * gap to the client's ping-restart later, so it does not wake once per interval for nothing;
   * otherwise every interval. "Come" allows two intervals since the client's last ping: openvpn's
   * own timer has one-second steps, so its pings arrive up to a second late. Never more than the
   * interval plus half of (timeout - interval), so the client hears from us well before its
   * ping-restart.
   */
  private long keepaliveFallbackNanos(long now) {
    Keepalive keepalive = keepalive();
    long interval = keepalive.intervalNanos();
    if (now - data.lastPingReceivedNanos() > 2 * interval) {
      return interval;
    }
    return interval + (keepalive.timeoutNanos() - interval) / 2;
  }
}
