package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;

/**
 * One authentication method of the PPP authentication phase (RFC 1661 section 3.5), as its own
 * small machine: MS-CHAPv2, EAP. Methods return null while undecided, an {@link AuthResult} once.
 */
interface PppAuthStateMachine {
  /** Sends the first request (Challenge, EAP Identity); non-null when decided at once. */
  AuthResult start();

  /** Handles a frame of this method's protocol; null while undecided. */
  AuthResult receive(int protocol, byte[] buf, int offset, int length)
      throws MalformedPppException;

  /** The restart timer fired; retransmits or gives up (non-null failure). */
  AuthResult timeout();

  /** Whether a request of ours is unanswered (the restart timer should run). */
  boolean awaitingAnswer();
}
