package io.vpngateway.gateway.auth;

import io.vpngateway.gateway.config.SecretBytes;
import java.util.concurrent.CompletionStage;

/**
 * A backend that checks an MS-CHAPv2 Response (RFC 2759) it did not see the password of: PPP's
 * MS-CHAPv2 inside SSTP hands the gateway only challenges and the NT-Response, so a password
 * backend cannot be used; a RADIUS server can (MS-CHAP-Challenge and MS-CHAP2-Response, RFC 2548
 * section 2.3; the accept carries MS-CHAP2-Success and the MPPE keys, section 2.4).
 *
 * <p>To plug one in: implement this in the backend's package ({@code auth/radius}) and add it in
 * {@code runtime/Authentications}; SSTP finds it through {@link AuthenticationPipeline#msChapV2()}.
 * Never complete exceptionally for an expected failure: complete with {@link Result.Refused}.
 */
public interface MsChapV2Authenticator {
  CompletionStage<Result> authenticate(ClientInfo client, Response response);

  /**
   * One MS-CHAPv2 Response.
   *
   * @param userName the Name the peer sent (a {@code DOMAIN\} prefix included)
   * @param authenticatorChallenge the 16 octets the gateway sent
   * @param peerChallenge the peer's 16 octets
   * @param ntResponse the 24-octet NT-Response
   */
  record Response(
      String userName, byte[] authenticatorChallenge, byte[] peerChallenge, byte[] ntResponse) {}

  /** The backend's answer. */
  sealed interface Result permits Result.Accepted, Result.Refused {
    /**
     * @param authenticatorResponse the {@code S=<40 hex>} proof for the peer's Success message
     * @param sendKey the gateway's MPPE send key (MS-MPPE-Send-Key, RFC 3079 MasterSendKey)
     * @param receiveKey the gateway's MPPE receive key (MS-MPPE-Recv-Key)
     */
    record Accepted(
        ClientIdentity identity,
        String authenticatorResponse,
        SecretBytes sendKey,
        SecretBytes receiveKey)
        implements Result {}

    record Refused(RefusalReason reason, String message) implements Result {}
  }
}
