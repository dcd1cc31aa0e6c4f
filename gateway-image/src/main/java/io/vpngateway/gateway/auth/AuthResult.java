package io.vpngateway.gateway.auth;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The outcome of an authentication step. Password and EAP backends are network calls, so results
 * arrive through a {@code CompletionStage}; a protocol resumes its handshake when it completes (on
 * its own thread: completion may happen on a backend's I/O thread).
 *
 * <ul>
 *   <li>{@link Accepted}: who the client is.
 *   <li>{@link Refused}: why not (the typed reason every protocol reports alike).
 *   <li>{@link Challenge}: the backend wants one more answer from the user (RADIUS Access-Challenge
 *       with its Reply-Message; an OTP). The protocol shows {@code prompt} to the client (OpenVPN
 *       {@code CR_TEXT} or a CRV1 dynamic challenge) and passes the answer to {@link
 *       Challenge#responder()}.
 *   <li>{@link Pending}: the user completes authentication elsewhere (OIDC web login at {@code
 *       url}); the protocol tells the client (OpenVPN {@code AUTH_PENDING} + {@code WEB_AUTH}) and
 *       waits for {@link Pending#outcome()}.
 * </ul>
 */
public sealed interface AuthResult
    permits AuthResult.Accepted, AuthResult.Refused, AuthResult.Challenge, AuthResult.Pending {

  /** The client is {@code identity}. */
  record Accepted(ClientIdentity identity) implements AuthResult {}

  /** The client is refused for {@code reason}; {@code message} is for the log only. */
  record Refused(RefusalReason reason, String message) implements AuthResult {}

  /**
   * One more answer is needed.
   *
   * @param prompt text for the user (no secret)
   * @param echo whether the answer may be shown as typed
   * @param timeout how long the backend keeps the challenge open
   * @param responder takes the user's answer
   */
  record Challenge(String prompt, boolean echo, Duration timeout, ChallengeResponder responder)
      implements AuthResult {}

  /**
   * Authentication continues out of band.
   *
   * @param url where the user logs in (OpenVPN WEB_AUTH / OPEN_URL), or null when the approval
   *     happens elsewhere (a push to a phone): the client is then only told to wait
   * @param timeout how long the client should wait
   * @param outcome completes with {@link Accepted} or {@link Refused} (never another Pending)
   */
  record Pending(URI url, Duration timeout, CompletionStage<AuthResult> outcome)
      implements AuthResult {}

  /** Answers a {@link Challenge}. */
  @FunctionalInterface
  interface ChallengeResponder {
    CompletionStage<AuthResult> respond(PasswordCredential answer);
  }

  static AuthResult accepted(ClientIdentity identity) {
    return new Accepted(identity);
  }

  static AuthResult refused(RefusalReason reason, String message) {
    return new Refused(reason, message);
  }

  static AuthResult refused(AuthenticationException e) {
    return new Refused(e.reason(), e.getMessage());
  }
}
