package io.vpngateway.gateway.auth.oidc;

/** How a web sign-in ended, as the waiting client's session learns it. */
public sealed interface SignInOutcome {
  /** The user signed in; the ID token passed every check. */
  record SignedIn(VerifiedToken token) implements SignInOutcome {}

  /**
   * The sign-in failed or timed out.
   *
   * @param reason CamelCase code for {@code AUTH_FAILED,<reason>} and metrics
   * @param message for the log; no secret, no token
   */
  record Refused(String reason, String message) implements SignInOutcome {}
}
