package io.vpngateway.gateway.sstp;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the SSTP server, for metrics and tests. Cheap to update from any thread. */
public final class SstpServerStats {
  /** Connections closed at once by the connection caps (global, per source) or at shutdown. */
  public final LongAdder connectionsRefused = new LongAdder();
  /** TLS handshakes that failed (not TLS, no common version or suite, client gave up). */
  public final LongAdder tlsFailures = new LongAdder();
  /** HTTP requests that were not SSTP_DUPLEX_POST to the SSTP URI (answered 404 and closed). */
  public final LongAdder notSstpRequests = new LongAdder();
  /** SSTP_DUPLEX_POST requests answered with 200 (TLS and HTTP done). */
  public final LongAdder sstpRequests = new LongAdder();
  /** Connections closed for being too slow: TLS, HTTP or SSTP negotiation past its deadline. */
  public final LongAdder slowClients = new LongAdder();
  /** SSTP packets that did not parse or came out of place (the call is aborted). */
  public final LongAdder protocolErrors = new LongAdder();
  /** Call Connected messages whose crypto binding was wrong (the call is aborted). */
  public final LongAdder bindingFailures = new LongAdder();
  /** PPP authentications refused (wrong password, revoked or untrusted certificate). */
  public final LongAdder authFailures = new LongAdder();
  /** Sessions refused after authentication: pool exhausted or the session budget full. */
  public final LongAdder admissionRefused = new LongAdder();
  /** PPP frames dropped: malformed, of the wrong phase, or over the control-frame budget. */
  public final LongAdder pppFramesDropped = new LongAdder();
  /** Calls aborted because the client flooded PPP/SSTP control frames. */
  public final LongAdder controlFloods = new LongAdder();
  /** Data packets dropped because a client's send queue was full (it stopped reading). */
  public final LongAdder sendQueueDropped = new LongAdder();
  /** Calls that reached Call Connected with a valid crypto binding. */
  public final LongAdder sessionsEstablished = new LongAdder();

  @Override
  public String toString() {
    return "refused=" + connectionsRefused + " tlsFailures=" + tlsFailures
        + " notSstp=" + notSstpRequests + " slow=" + slowClients
        + " protocolErrors=" + protocolErrors + " bindingFailures=" + bindingFailures
        + " authFailures=" + authFailures + " admissionRefused=" + admissionRefused
        + " pppDropped=" + pppFramesDropped + " floods=" + controlFloods
        + " sendQueueDropped=" + sendQueueDropped + " established=" + sessionsEstablished;
  }
}
