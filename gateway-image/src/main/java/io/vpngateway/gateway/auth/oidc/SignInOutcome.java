package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.gateway.auth.RefusalReason;

/** How a web sign-in ended, as the waiting client's session learns it. */
public sealed interface SignInOutcome {
  /** The user signed in; the ID token passed every check. */
  record SignedIn(VerifiedToken token) implements SignInOutcome {}

  /**
   * The sign-in failed or timed out.
   *
   * @param reason what the client and the metrics are told
   * @param message for the log; no secret, no token
   */
  record Refused(RefusalReason reason, String message) implements SignInOutcome {}
}
