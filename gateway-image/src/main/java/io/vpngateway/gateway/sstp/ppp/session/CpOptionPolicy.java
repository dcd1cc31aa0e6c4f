package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import java.util.List;

/**
 * What one control protocol (LCP, IPCP) wants from option negotiation; {@link CpNegotiation} runs
 * the RFC 1661 automaton around it. Implementations hold the negotiated values.
 */
interface CpOptionPolicy {
  /** The options of our next Configure-Request. */
  List<CpOption> ourRequest();

  /**
   * Judges the peer's Configure-Request (RFC 1661 section 5.1): Ack all, or Nak the acceptable
   * but wrong ones with values we would accept, or Reject the unacceptable ones.
   */
  Verdict judge(List<CpOption> peerOptions);

  /** The peer Nak'ed some of our options (section 5.3); false when we cannot go on. */
  boolean onNak(List<CpOption> suggested);

  /** The peer rejected some of our options (section 5.4); false when we cannot go on. */
  boolean onReject(List<CpOption> rejected);

  /** The peer acknowledged our request (its options are now in force). */
  default void onOurRequestAcked(List<CpOption> options) {}

  /** We acknowledged the peer's request. */
  default void onPeerRequestAcked(List<CpOption> options) {}

  /** The answer to a peer's Configure-Request. */
  record Verdict(int code, List<CpOption> options) {
    public Verdict {
      options = List.copyOf(options);
    }
  }
}
