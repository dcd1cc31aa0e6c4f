package io.vpngateway.gateway.ikev2.session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the IKEv2 server, for metrics and tests. Cheap to update from any thread. */
public final class Ikev2Stats {
  /** Datagrams that do not parse as IKE (bad lengths, truncation, bad fields). */
  public final LongAdder malformed = new LongAdder();
  /** IKE messages for an unknown SPI or a closed SA. */
  public final LongAdder unknownSpi = new LongAdder();
  /** Requests outside the message ID window (neither the expected one nor a retransmission). */
  public final LongAdder invalidMessageId = new LongAdder();
  /** Retransmitted requests answered from the cache. */
  public final LongAdder retransmitsAnswered = new LongAdder();
  /** Encrypted IKE messages that failed their integrity check. */
  public final LongAdder integrityFailures = new LongAdder();
  /** Messages refused with an error notification (syntax, proposals, KE, auth, TS ...). */
  public final LongAdder errorsSent = new LongAdder();
  /** IKE_SA_INIT answered with a cookie request (RFC 7296 §2.6). */
  public final LongAdder cookiesSent = new LongAdder();
  /** IKE_SA_INIT dropped because the half-open table (or a source's share) was full. */
  public final LongAdder halfOpenDropped = new LongAdder();
  /** IKE datagrams dropped because the control thread's queue was full. */
  public final LongAdder controlQueueDropped = new LongAdder();
  /** ESP packets for no known SPI. */
  public final LongAdder espUnknownSpi = new LongAdder();
  /** ESP packets that failed authentication (ICV, AEAD tag, trailer). */
  public final LongAdder espAuthFailures = new LongAdder();
  /** ESP packets whose sequence number the replay window refused. */
  public final LongAdder espReplays = new LongAdder();
  /** ESP packets accepted on a deleted or rekeyed CHILD_SA during its inbound grace. */
  public final LongAdder espOnRetiredSa = new LongAdder();
  public final LongAdder established = new LongAdder();
  public final LongAdder authFailures = new LongAdder();
  public final LongAdder ikeRekeys = new LongAdder();
  public final LongAdder childRekeys = new LongAdder();
  public final LongAdder dpdDead = new LongAdder();

  /** Drops by reason, for {@code vpngw_dropped_packets_total{protocol="IKEv2"}}. */
  public Map<String, Long> drops() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("Malformed", malformed.sum());
    m.put("UnknownSpi", unknownSpi.sum());
    m.put("InvalidMessageId", invalidMessageId.sum());
    m.put("IntegrityFailure", integrityFailures.sum());
    m.put("HalfOpenFull", halfOpenDropped.sum());
    m.put("ControlQueueFull", controlQueueDropped.sum());
    m.put("EspUnknownSpi", espUnknownSpi.sum());
    m.put("EspAuthFailure", espAuthFailures.sum());
    m.put("EspReplay", espReplays.sum());
    return m;
  }

  @Override
  public String toString() {
    return "malformed=" + malformed + " unknownSpi=" + unknownSpi
        + " invalidMessageId=" + invalidMessageId + " retransmitsAnswered=" + retransmitsAnswered
        + " integrityFailures=" + integrityFailures + " errorsSent=" + errorsSent
        + " cookiesSent=" + cookiesSent + " halfOpenDropped=" + halfOpenDropped
        + " controlQueueDropped=" + controlQueueDropped + " espUnknownSpi=" + espUnknownSpi
        + " espAuthFailures=" + espAuthFailures + " espReplays=" + espReplays
        + " espOnRetiredSa=" + espOnRetiredSa + " established=" + established
        + " authFailures=" + authFailures + " ikeRekeys=" + ikeRekeys
        + " childRekeys=" + childRekeys + " dpdDead=" + dpdDead;
  }
}
