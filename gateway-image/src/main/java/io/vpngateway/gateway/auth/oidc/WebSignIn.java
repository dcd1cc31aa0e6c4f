package io.vpngateway.gateway.auth.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.SecretBytes;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, OpenID Connect Core 1.0 §3.1)
 * on behalf of VPN clients that cannot run it themselves.
 *
 * <pre>
 *  begin() ──▶ PENDING ──browser GET /start/{id}──▶ 302 to the issuer's authorization endpoint
 *                 │                                         │ user signs in
 *                 │ timeout: Refused(SignInTimeout)         ▼
 *                 │ cancel(): session gone, no outcome    GET /callback?code&amp;state
 *                 ▼                                         │ POST token endpoint (code, verifier)
 *              (removed) ◀──────── SignedIn(token) | Refused(reason) ◀── ID token checked
 * </pre>
 *
 * <p>A sign-in is identified by its {@code state}, 128 random bits: it is the path of the short
 * link the client shows its user and the {@code state} parameter the issuer echoes, and it is used
 * once (removed on callback, timeout or cancel). The {@code nonce} binds the ID token to this
 * sign-in, the PKCE verifier binds the code to this gateway. Every sign-in keeps the settings it
 * started with, so a config reload never mixes two clients' redirect URIs.
 */
public final class WebSignIn implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WebSignIn.class.getName());
  /** Sign-ins waiting at once; beyond this new ones are refused (the handshake caps come first). */
  static final int MAX_PENDING = 4096;

  /**
   * Sign-ins waiting for one source address: a client that reconnects over and over must not fill
   * the table for everyone (a sign-in outlives a session that gave up on it until its timeout).
   */
  static final int MAX_PENDING_PER_SOURCE = 8;

  /** Why a sign-in did not produce a token. */
  public enum Failure {
    /** The user did not finish within the timeout. */
    TIMEOUT(RefusalReason.AUTH_TIMEOUT),
    /** The issuer answered the callback with an error (the user cancelled, or was not allowed). */
    DENIED(RefusalReason.BAD_CREDENTIALS),
    /** The token endpoint refused the code, or answered without an ID token. */
    CODE_REJECTED(RefusalReason.BAD_CREDENTIALS),
    /** Too many sign-ins are waiting. */
    BUSY(RefusalReason.AUTH_SERVER_UNAVAILABLE),
    /** Web sign-in is not configured (no client id) or the issuer cannot run it. */
    NOT_CONFIGURED(RefusalReason.AUTH_METHOD_NOT_SUPPORTED);

    private final RefusalReason reason;

    Failure(RefusalReason reason) {
      this.reason = reason;
    }

    public RefusalReason reason() {
      return reason;
    }
  }

  /**
   * One issuer and the settings a sign-in runs with.
   *
   * @param redirectUri the callback as browsers reach it; ends with {@code /callback}
   */
  public record Context(OidcIssuer issuer, OidcTokenValidator validator, URI redirectUri) {
    public Context {
      if (!redirectUri.getPath().endsWith("/callback")) {
        throw new IllegalArgumentException("the redirect URI must end with /callback");
      }
    }

    OidcSettings settings() {
      return issuer.settings();
    }
  }

  /** A started sign-in: its id and the link for the user. */
  public record Started(String id, URI signInUrl) {}

  /** What the callback page tells the browser. */
  public record Page(int status, String title, String text) {}

  private record Pending(
      String id,
      String source,
      Context context,
      IssuerMetadata metadata,
      Pkce pkce,
      String nonce,
      Consumer<SignInOutcome> done,
      ScheduledFuture<?> timeout) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "oidc-sign-in-timeouts");
            t.setDaemon(true);
            return t;
          });

  /**
   * Starts a sign-in. {@code done} is called exactly once, from another thread, unless {@link
   * #cancel} comes first.
   *
   * @throws TokenRefusedException with {@link TokenRefusal#ISSUER_UNREACHABLE} when the issuer's
   *     endpoints cannot be discovered
   * @throws SignInException when web sign-in is off or too many sign-ins are waiting
   */
  public Started begin(Context context, Consumer<SignInOutcome> done)
      throws TokenRefusedException, SignInException {
    return begin(context, "", done);
  }

  /**
   * Starts a sign-in for a client from {@code source} (its address: at most {@value
   * #MAX_PENDING_PER_SOURCE} wait per source).
   */
  public Started begin(Context context, String source, Consumer<SignInOutcome> done)
      throws TokenRefusedException, SignInException {
    if (!context.settings().webSignInEnabled()) {
      throw new SignInException(Failure.NOT_CONFIGURED, "no clientId is configured");
    }
    IssuerMetadata metadata;
    try {
      metadata = context.issuer().metadata();
    } catch (IssuerUnreachableException e) {
      throw new TokenRefusedException(TokenRefusal.ISSUER_UNREACHABLE, e.getMessage(), e);
    }
    if (!metadata.supportsCodeFlow()) {
      throw new SignInException(
          Failure.NOT_CONFIGURED, "the issuer announces no authorization or token endpoint");
    }
    if (pending.size() >= MAX_PENDING) {
      throw new SignInException(Failure.BUSY, MAX_PENDING + " sign-ins are already waiting");
    }
    if (!source.isEmpty()
        && pending.values().stream().filter(p -> p.source().equals(source)).count()
            >= MAX_PENDING_PER_SOURCE) {
      throw new SignInException(
          Failure.BUSY, MAX_PENDING_PER_SOURCE + " sign-ins are already waiting for " + source);
    }
    String id = randomToken(16);
    Duration timeout = context.settings().signInTimeout();
    ScheduledFuture<?> timer =
        this.timer.schedule(() -> expire(id), timeout.toMillis(), TimeUnit.MILLISECONDS);
    pending.put(
        id,
        new Pending(
            id, source, context, metadata, Pkce.generate(random), randomToken(16), done, timer));
    return new Started(id, startUri(context.redirectUri(), id));
  }

  /** The link the client shows: the redirect URI's {@code /callback} replaced by {@code /start/ID}. */
  static URI startUri(URI redirectUri, String id) {
    String path = redirectUri.getPath();
    String startPath = path.substring(0, path.length() - "callback".length()) + "start/" + id;
    return URI.create(
        redirectUri.getScheme() + "://" + redirectUri.getRawAuthority() + startPath);
  }

  /** Sign-ins waiting for their user. */
  public int pendingCount() {
    return pending.size();
  }

  /** The client gave up (its session closed): forget the sign-in without an outcome. */
  public void cancel(String id) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.timeout().cancel(false);
    }
  }

  /**
   * Where the browser goes for {@code GET /start/{id}}: the issuer's authorization endpoint with
   * this sign-in's parameters; empty when the id is unknown (used, expired or made up).
   */
  public Optional<URI> authorizationRequest(String id) {
    Pending p = pending.get(id);
    if (p == null) {
      return Optional.empty();
    }
    OidcSettings s = p.context().settings();
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", s.clientId().orElseThrow());
    q.put("redirect_uri", p.context().redirectUri().toString());
    q.put("scope", String.join(" ", s.scopes()));
    q.put("state", p.id());
    q.put("nonce", p.nonce());
    q.put("code_challenge", p.pkce().challenge());
    q.put("code_challenge_method", Pkce.METHOD);
    URI endpoint = p.metadata().authorizationEndpoint();
    String base = endpoint.toString();
    return Optional.of(URI.create(base + (base.contains("?") ? "&" : "?") + query(q)));
  }

  /**
   * Handles the issuer's redirect back ({@code GET /callback}): redeems the code, checks the ID
   * token and tells the waiting client. Blocks on the token endpoint; runs on a callback thread.
   */
  public Page callback(String state, String code, String error) {
    Pending p = state == null ? null : pending.remove(state);
    if (p == null) {
      return new Page(
          400,
          "Sign-in link expired",
          "This sign-in is unknown, already used or timed out. Connect the VPN again.");
    }
    p.timeout().cancel(false);
    if (error != null) {
      String safe = error.replaceAll("[^A-Za-z0-9_.-]", "?");
      finish(p, new SignInOutcome.Refused(Failure.DENIED.reason(), "the issuer answered " + safe));
      return new Page(403, "Sign-in refused", "The identity provider refused the sign-in ("
          + safe + "). The VPN connection was refused.");
    }
    if (code == null || code.isEmpty()) {
      finish(
          p, new SignInOutcome.Refused(Failure.CODE_REJECTED.reason(), "callback without a code"));
      return new Page(400, "Sign-in failed", "The identity provider sent no code.");
    }
    SignInOutcome outcome = redeem(p, code);
    finish(p, outcome);
    if (outcome instanceof SignInOutcome.SignedIn in) {
      return new Page(
          200,
          "Signed in",
          "Signed in as " + in.token().name() + ". The VPN connects now; you may close this page.");
    }
    SignInOutcome.Refused r = (SignInOutcome.Refused) outcome;
    return new Page(
        403, "Sign-in refused", "The VPN connection was refused (" + r.reason().code() + ").");
  }

  private SignInOutcome redeem(Pending p, String code) {
    OidcSettings s = p.context().settings();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", p.context().redirectUri().toString());
    form.put("client_id", s.clientId().orElseThrow());
    form.put("code_verifier", p.pkce().verifier());
    String authorization = s.clientSecret().map(secret -> basic(s.clientId().get(), secret)).orElse(null);
    IssuerHttpClient.Answer answer;
    try {
      answer = p.context().issuer().http().postForm(p.metadata().tokenEndpoint(), form, authorization);
    } catch (IssuerUnreachableException e) {
      return new SignInOutcome.Refused(TokenRefusal.ISSUER_UNREACHABLE.reason(), e.getMessage());
    }
    JsonNode idToken = answer.body().get("id_token");
    if (answer.status() != 200 || idToken == null || !idToken.isTextual()) {
      JsonNode err = answer.body().get("error");
      return new SignInOutcome.Refused(
          Failure.CODE_REJECTED.reason(),
          "token endpoint answered HTTP "
              + answer.status()
              + (err != null ? " " + err.asText().replaceAll("[^A-Za-z0-9_.-]", "?") : "")
              + (idToken == null ? ", no id_token" : ""));
    }
    try {
      return new SignInOutcome.SignedIn(
          p.context().validator().validateIdToken(idToken.asText(), s.clientId().get(), p.nonce()));
    } catch (TokenRefusedException e) {
      return new SignInOutcome.Refused(e.refusal().reason(), e.getMessage());
    }
  }

  private void expire(String id) {
    Pending p = pending.remove(id);
    if (p != null) {
      finish(
          p,
          new SignInOutcome.Refused(
              Failure.TIMEOUT.reason(),
              "no sign-in within " + p.context().settings().signInTimeout().toSeconds() + " s"));
    }
  }

  private static void finish(Pending p, SignInOutcome outcome) {
    try {
      p.done().accept(outcome);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "sign-in " + p.id().substring(0, 6) + "…: delivering the outcome failed", e);
    }
  }

  /** RFC 6749 §2.3.1: client id and secret form-encoded, then HTTP Basic. */
  private static String basic(String clientId, SecretBytes secret) {
    byte[] raw = secret.bytes();
    try {
      String password =
          StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw)).toString();
      String pair = form(clientId) + ":" + form(password);
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String query(Map<String, String> params) {
    StringJoiner j = new StringJoiner("&");
    params.forEach((k, v) -> j.add(form(k) + "=" + form(v)));
    return j.toString();
  }

  private String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Refuses every waiting sign-in (the gateway is stopping). */
  @Override
  public void close() {
    timer.shutdownNow();
    for (String id : pending.keySet()) {
      Pending p = pending.remove(id);
      if (p != null) {
        finish(p, new SignInOutcome.Refused(Failure.TIMEOUT.reason(), "the gateway is stopping"));
      }
    }
  }
}
