package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.ServerAssignment;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * OIDC as a password backend of the authentication pipeline.
 *
 * <ul>
 *   <li>A password that is a JWT is checked as a token (audience {@code settings.audience()}):
 *       Accepted with the token's name and groups, or Refused with the check that failed.
 *   <li>Otherwise, with web sign-in on, the client is sent to sign in: {@link AuthResult.Pending}
 *       with the sign-in link, completed when the user has signed in (Accepted with the ID token's
 *       groups) or failed or timed out (Refused). Only clients that announce {@code IV_SSO} with
 *       {@code webauth} (openvpn 2.6 {@code setenv IV_SSO webauth}) can open the link; any other
 *       is refused with {@code AuthMethodNotSupported} at once rather than left waiting.
 * </ul>
 *
 * When RADIUS is configured too, only JWT-shaped passwords and clients that sent no password
 * come here; any other password is RADIUS's. Work that may block (keys, discovery) runs on the
 * {@link OidcService}'s pool.
 */
public final class OidcPasswordAuthenticator implements PasswordAuthenticator {
  /** The peer-info attribute of an OpenVPN client listing its SSO methods. */
  public static final String IV_SSO = "IV_SSO";

  private final OidcService service;

  public OidcPasswordAuthenticator(OidcService service) {
    this.service = service;
  }

  @Override
  public AuthMethod method() {
    return AuthMethod.OIDC;
  }

  @Override
  public boolean active() {
    return service.current().isPresent();
  }

  @Override
  public boolean handles(Optional<PasswordCredential> credential, ClientInfo client) {
    Optional<OidcService.Current> current = service.current();
    if (current.isEmpty()) {
      return false;
    }
    if (credential.isPresent() && looksLikeJwt(credential.get().passwordText())) {
      return true;
    }
    return current.get().settings().webSignInEnabled()
        && (credential.isEmpty() || current.get().webSignInForAnyPassword());
  }

  @Override
  public CompletionStage<AuthResult> authenticate(
      Optional<PasswordCredential> credential, ClientInfo client) {
    Optional<OidcService.Current> maybe = service.current();
    if (maybe.isEmpty()) {
      return done(
          AuthResult.refused(RefusalReason.AUTH_METHOD_NOT_SUPPORTED, "OIDC is turned off"));
    }
    OidcService.Current current = maybe.get();
    if (credential.isPresent()) {
      String password = credential.get().passwordText();
      if (looksLikeJwt(password)) {
        return async(() -> checkToken(current, password));
      }
    }
    if (!canOpenUrls(client)) {
      return done(
          AuthResult.refused(
              RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
              "no token as password, and the client does not announce IV_SSO webauth for web"
                  + " sign-in (its profile needs 'setenv IV_SSO webauth,crtext')"));
    }
    if (current.signIn().isEmpty()) {
      return done(
          AuthResult.refused(
              RefusalReason.AUTH_SERVER_UNAVAILABLE, "the web sign-in endpoint is not listening"));
    }
    return async(() -> beginSignIn(current.signIn().get(), client));
  }

  private AuthResult checkToken(OidcService.Current current, String token) {
    try {
      VerifiedToken t = current.validator().validateAccessToken(token);
      return AuthResult.accepted(identity(current, t));
    } catch (TokenRefusedException e) {
      return AuthResult.refused(e.refusal().reason(), e.getMessage());
    }
  }

  private AuthResult beginSignIn(WebSignIn.Context context, ClientInfo client) {
    CompletableFuture<AuthResult> outcome = new CompletableFuture<>();
    WebSignIn.Started started;
    try {
      started =
          service
              .webSignIn()
              .begin(
                  context,
                  client.remoteHost(),
                  o -> outcome.complete(result(context, o)));
    } catch (TokenRefusedException e) {
      return AuthResult.refused(e.refusal().reason(), e.getMessage());
    } catch (SignInException e) {
      return AuthResult.refused(e.failure().reason(), e.getMessage());
    }
    // the client gave up (its session closed): free the sign-in at once
    outcome.whenComplete(
        (r, e) -> {
          if (outcome.isCancelled()) {
            service.webSignIn().cancel(started.id());
          }
        });
    return new AuthResult.Pending(
        started.signInUrl(), context.settings().signInTimeout(), outcome);
  }

  private static AuthResult result(WebSignIn.Context context, SignInOutcome o) {
    if (o instanceof SignInOutcome.SignedIn in) {
      return AuthResult.accepted(
          ClientIdentity.of(
                  in.token().name(),
                  in.token().groups(),
                  AuthMethod.OIDC,
                  context.settings().issuer().toString())
              .withAssignment(until(in.token(), context.settings())));
    }
    SignInOutcome.Refused r = (SignInOutcome.Refused) o;
    return AuthResult.refused(r.reason(), r.message());
  }

  private static ClientIdentity identity(OidcService.Current current, VerifiedToken t) {
    return ClientIdentity.of(
            t.name(), t.groups(), AuthMethod.OIDC, current.settings().issuer().toString())
        .withAssignment(until(t, current.settings()));
  }

  /**
   * A session lives no longer than the token that admitted it (+ the clock skew the check
   * allowed): a user disabled at the issuer gets no new token, so this is when the gateway stops
   * trusting the sign-in (see README "Cutting a user off").
   */
  private static ServerAssignment until(VerifiedToken t, OidcSettings settings) {
    return ServerAssignment.until(t.expiresAt().plus(settings.clockSkew()));
  }

  /** {@code IV_SSO} lists {@code webauth} (openvpn sends e.g. {@code webauth,crtext}). */
  static boolean canOpenUrls(ClientInfo client) {
    String sso = client.attributes().get(IV_SSO);
    if (sso == null) {
      return false;
    }
    for (String method : sso.toLowerCase(Locale.ROOT).split(",")) {
      if (method.strip().equals("webauth")) {
        return true;
      }
    }
    return false;
  }

  /** Three base64url parts, the first a JSON header: what a compact JWS looks like. */
  static boolean looksLikeJwt(String password) {
    if (password == null || !password.startsWith("eyJ")) {
      return false;
    }
    int dots = 0;
    for (int i = 0; i < password.length(); i++) {
      char c = password.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '=')) {
        return false;
      }
    }
    return dots == 2;
  }

  private CompletionStage<AuthResult> async(java.util.function.Supplier<AuthResult> work) {
    try {
      return CompletableFuture.supplyAsync(work, service.executor());
    } catch (RejectedExecutionException e) {
      return done(
          AuthResult.refused(
              RefusalReason.AUTH_SERVER_UNAVAILABLE, "too many OIDC checks are waiting"));
    }
  }

  private static CompletionStage<AuthResult> done(AuthResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
