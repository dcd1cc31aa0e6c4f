package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/** None of the peer's proposals is acceptable under our policy: RFC 7296 §2.7, NO_PROPOSAL_CHOSEN. */
public final class NoProposalChosenException extends IkeProtocolException {
  public NoProposalChosenException(String message) {
    super(NotifyType.NO_PROPOSAL_CHOSEN, message);
  }
}
