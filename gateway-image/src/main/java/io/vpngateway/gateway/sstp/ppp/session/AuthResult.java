package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.auth.ClientIdentity;

/**
 * The verdict of the authentication phase.
 *
 * @param identity who the client is (null on failure)
 * @param hlak the server's HLAK for the SSTP crypto binding (MS-SSTP section 3.2.5.2.2; null on
 *     failure)
 * @param alternateHlak a second acceptable HLAK from the same keys, or null (EAP: what sstpc
 *     computes, see {@code EapRelayStateMachine})
 * @param failure why it failed, for the log (null on success)
 */
public record AuthResult(
    ClientIdentity identity, byte[] hlak, byte[] alternateHlak, String failure) {
  static AuthResult success(ClientIdentity identity, byte[] hlak) {
    return new AuthResult(identity, hlak, null, null);
  }

  static AuthResult success(ClientIdentity identity, byte[] hlak, byte[] alternateHlak) {
    return new AuthResult(identity, hlak, alternateHlak, null);
  }

  static AuthResult failure(String reason) {
    return new AuthResult(null, null, null, reason);
  }

  public boolean succeeded() {
    return failure == null;
  }
}
