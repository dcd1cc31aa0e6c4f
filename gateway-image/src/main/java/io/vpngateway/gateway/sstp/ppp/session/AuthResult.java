package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.auth.ClientIdentity;

/**
 * The verdict of the authentication phase.
 *
 * @param identity who the client is (null on failure)
 * @param hlak the server's HLAK for the SSTP crypto binding (MS-SSTP section 3.2.5.2.2; null on
 *     failure)
 * @param failure why it failed, for the log (null on success)
 */
public record AuthResult(ClientIdentity identity, byte[] hlak, String failure) {
  static AuthResult success(ClientIdentity identity, byte[] hlak) {
    return new AuthResult(identity, hlak, null);
  }

  static AuthResult failure(String reason) {
    return new AuthResult(null, null, reason);
  }

  public boolean succeeded() {
    return failure == null;
  }
}
