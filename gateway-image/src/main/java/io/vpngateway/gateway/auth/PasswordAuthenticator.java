package io.vpngateway.gateway.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A password backend (RADIUS, OIDC tokens as passwords): user name + password + client info in,
 * {@link AuthResult} out, asynchronously, since backends are network calls. It may answer with a
 * {@link AuthResult.Challenge} (RADIUS Access-Challenge) or a {@link AuthResult.Pending} (web
 * login) as well as Accepted/Refused.
 *
 * <p>To plug one in: implement this in its own package ({@code auth/radius}, {@code auth/oidc}),
 * never block the calling thread (protocols call it from their control thread), complete the
 * stage with Refused (not exceptionally) for every expected failure (reject, timeout: {@link
 * RefusalReason#AUTH_SERVER_UNAVAILABLE}), and add it to the pipeline where {@code
 * runtime/Authentications} builds it from the config. Every protocol then uses it.
 */
public interface PasswordAuthenticator {
  /**
   * Whether the backend is configured now. One that follows reloads (OIDC) stays in the pipeline
   * while its method is off and says so here; the pipeline then acts as if it were absent (a
   * certificate-only gateway ignores passwords, {@code NoClientCertificate} and so on).
   */
  default boolean active() {
    return true;
  }

  /**
   * The method of the logins it accepts ({@link ClientIdentity#method}), so that a live session
   * whose backend a reload turned off is no longer counted as password-proven; null (the
   * default) for a backend that does not say, which then stands for any password method.
   */
  default AuthMethod method() {
    return null;
  }

  /**
   * Whether this backend handles this client's offer; the pipeline asks each backend in order and
   * uses the first that says yes. The default handles any offered password. An OIDC backend doing
   * web login may also accept a client that sent none but can open a URL.
   */
  default boolean handles(Optional<PasswordCredential> credential, ClientInfo client) {
    return credential.isPresent();
  }

  /**
   * The longest this backend may take for one answer (every server's timeouts and retries), so a
   * protocol can keep its client waiting that long (OpenVPN: {@code AUTH_PENDING,timeout N}
   * beyond the client's 60 s hand-window). Seam extension for RADIUS failover and push MFA.
   */
  default Duration longestAnswer() {
    return Duration.ofSeconds(30);
  }

  /**
   * Checks the credential. The stage completes with Accepted (the identity and its groups),
   * Refused, Challenge or Pending; an exceptional completion is treated as {@link
   * RefusalReason#INTERNAL_ERROR}.
   *
   * @param credential what the client sent; empty only if {@link #handles} accepted that
   */
  CompletionStage<AuthResult> authenticate(
      Optional<PasswordCredential> credential, ClientInfo client);
}
