package io.vpngateway.gateway.auth.radius;

/** The answer to a password (or challenge response) check against RADIUS. */
public sealed interface RadiusAuthResult {
  /** Access-Accept (and, for MS-CHAPv2, the server proved it knows the password). */
  record Accepted(RadiusAccept accept) implements RadiusAuthResult {}

  /**
   * The credentials were refused.
   *
   * @param reason CamelCase code: {@code RadiusRejected}, or {@code RadiusServerNotProven} when an
   *     MS-CHAPv2 accept lacked a valid authenticator response
   * @param replyMessage the server's Reply-Message (safe to show the user), or empty
   */
  record Rejected(String reason, String replyMessage) implements RadiusAuthResult {}

  /**
   * Access-Challenge: the server wants one more answer (an OTP, a PIN, "approve on your phone").
   *
   * @param state the State attribute to return with the answer (opaque to the gateway)
   * @param prompt the Reply-Message to show the user
   * @param server the server that asked; only it can take the answer
   */
  record Challenged(byte[] state, String prompt, RadiusServerEndpoint server)
      implements RadiusAuthResult {
    public Challenged {
      state = state.clone();
    }

    @Override
    public byte[] state() {
      return state.clone();
    }
  }
}
