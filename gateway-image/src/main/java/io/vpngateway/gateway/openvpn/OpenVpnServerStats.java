package io.vpngateway.gateway.openvpn;

import io.vpngateway.gateway.openvpn.exception.PacketAuthenticationException;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the OpenVPN server, for metrics and tests. Cheap to update from any thread. */
public final class OpenVpnServerStats {
  /** Packets that did not parse. */
  public final LongAdder malformedDropped = new LongAdder();
  /** Packets that failed authentication (tls-crypt tag, WKc, AEAD tag, tls-crypt missing). */
  public final LongAdder authenticationDropped = new LongAdder();
  /** Packets that authenticated but whose packet id the replay window refused. */
  public final LongAdder replayDropped = new LongAdder();
  /** Packets for no known session. */
  public final LongAdder unknownSessionDropped = new LongAdder();
  /** New handshakes refused by the per-source rate limit or the handshaking-session caps. */
  public final LongAdder rateLimitedHandshakes = new LongAdder();
  /** Client resets repeated before their session existed (a busy control thread), dropped. */
  public final LongAdder duplicateResetsDropped = new LongAdder();
  /** Data packets dropped because a TCP client's send queue was full (it stopped reading). */
  public final LongAdder tcpSendQueueDropped = new LongAdder();
  /** TCP connections closed by the connection caps, the no-session timeout or a stuck writer. */
  public final LongAdder tcpConnectionsRefused = new LongAdder();
  /** Control packets dropped because the control thread's queue was full (a flood). */
  public final LongAdder controlQueueDropped = new LongAdder();
  /** Packets for a client that could not be encrypted (a JCE failure); logged rate-limited. */
  public final LongAdder sealFailed = new LongAdder();
  /** Packets or tasks lost to an unexpected exception on a receive or control thread. */
  public final LongAdder internalErrors = new LongAdder();
  public final LongAdder sessionsEstablished = new LongAdder();
  public final LongAdder authFailures = new LongAdder();
  public final LongAdder renegotiations = new LongAdder();

  /** Counts a packet refused by its integrity check or by the replay window. */
  public void rejected(PacketAuthenticationException e) {
    (e.isReplay() ? replayDropped : authenticationDropped).increment();
  }

  @Override
  public String toString() {
    return "malformed=" + malformedDropped + " authDropped=" + authenticationDropped
        + " replayDropped=" + replayDropped
        + " unknownSession=" + unknownSessionDropped + " rateLimited=" + rateLimitedHandshakes
        + " duplicateResets=" + duplicateResetsDropped
        + " tcpSendQueueDropped=" + tcpSendQueueDropped
        + " tcpRefused=" + tcpConnectionsRefused + " controlQueueDropped=" + controlQueueDropped
        + " sealFailed=" + sealFailed + " internalErrors=" + internalErrors
        + " established=" + sessionsEstablished
        + " authFailures=" + authFailures + " renegotiations=" + renegotiations;
  }
}
