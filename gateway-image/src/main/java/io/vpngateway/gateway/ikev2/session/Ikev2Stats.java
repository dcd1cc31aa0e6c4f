package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.metrics.PrometheusTextWriter;
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

  /**
   * The IKEv2 families of {@code /metrics} that are not drops (those go to {@link #drops}): rekeys,
   * cookies, dead peers, and the ESP packets accepted on a CHILD_SA a rekey or Delete retired
   * (RFC 7296 section 2.8: the old SA keeps receiving during its inbound grace), which shows how
   * much traffic a rekey would lose without that grace.
   */
  public void writeMetrics(PrometheusTextWriter w) {
    w.family("vpngw_ikev2_rekeys_total", "counter", "IKEv2 rekeys, by SA kind.");
    w.sample("vpngw_ikev2_rekeys_total", ikeRekeys.sum(), "sa", "ike");
    w.sample("vpngw_ikev2_rekeys_total", childRekeys.sum(), "sa", "child");
    w.family(
        "vpngw_ikev2_cookies_sent_total",
        "counter",
        "IKE_SA_INIT requests answered with a cookie request (RFC 7296 section 2.6).");
    w.sample("vpngw_ikev2_cookies_sent_total", cookiesSent.sum());
    w.family("vpngw_ikev2_dead_peers_total", "counter", "IKE SAs ended by dead peer detection.");
    w.sample("vpngw_ikev2_dead_peers_total", dpdDead.sum());
    w.family(
        "vpngw_ikev2_esp_on_retired_sa_total",
        "counter",
        "ESP packets accepted on a CHILD_SA retired by a rekey or Delete, during its inbound"
            + " grace.");
    w.sample("vpngw_ikev2_esp_on_retired_sa_total", espOnRetiredSa.sum());
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
