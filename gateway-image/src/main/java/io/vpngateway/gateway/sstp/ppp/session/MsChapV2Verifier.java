package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.auth.ClientIdentity;
import java.net.InetSocketAddress;

/**
 * Where the MS-CHAPv2 authenticator gets its answer (RFC 2759 section 5): a backend that knows
 * the user's password hash (a RADIUS server through MS-CHAP-Challenge / MS-CHAP2-Response, RFC
 * 2548 section 2.3, or a test authenticator) checks the NT-Response and returns the
 * authenticator response and the MPPE keys. The gateway never sees a password.
 *
 * <p>Called on the session's own thread; it may block (a RADIUS round trip) without holding up
 * any other session.
 */
@FunctionalInterface
public interface MsChapV2Verifier {
  Outcome verify(Attempt attempt);

  /**
   * One Response to check.
   *
   * @param userName the Name of the Response, as the peer sent it (a domain prefix included)
   * @param authenticatorChallenge the 16 octets this server sent
   * @param peerChallenge the peer's 16 octets
   * @param ntResponse the 24-octet NT-Response
   * @param client where the client connects from (for the log and RADIUS Calling-Station-Id)
   */
  record Attempt(
      String userName,
      byte[] authenticatorChallenge,
      byte[] peerChallenge,
      byte[] ntResponse,
      InetSocketAddress client) {}

  /** The backend's answer. */
  sealed interface Outcome permits Accepted, Rejected {}

  /**
   * The NT-Response is right.
   *
   * @param authenticatorResponse the {@code S=<40 hex>} for the Success message
   * @param sendKey the server's MPPE send key (RFC 3079 MasterSendKey, 16 octets)
   * @param receiveKey the server's MPPE receive key
   */
  record Accepted(
      ClientIdentity identity, String authenticatorResponse, byte[] sendKey, byte[] receiveKey)
      implements Outcome {}

  /** Refused; {@code reason} is logged and counted, never sent to the client. */
  record Rejected(String reason) implements Outcome {}
}
