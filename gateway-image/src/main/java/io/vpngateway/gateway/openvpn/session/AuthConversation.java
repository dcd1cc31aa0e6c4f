package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The authentication of one OpenVPN client (its first key state), for as long as the backend
 * wants more than the first answer: the one asynchronous path for every {@link AuthResult}. The
 * session withholds its PUSH_REPLY until this settles (openvpn 2.6 keeps sending PUSH_REQUEST,
 * see PEERS.md "OpenVPN 2.6 client: pending auth").
 *
 * <pre>
 *  start ──pipeline──▶ Accepted / Refused ────────────────────────────────────────▶ settled
 *    │          ├─ Pending (web sign-in): AUTH_PENDING + INFO_PRE,WEB_AUTH::url ──▶ outcome ─┐
 *    │          ├─ Challenge, client has IV_SSO crtext:                                       │
 *    │          │     AUTH_PENDING + INFO_PRE,CR_TEXT:flags:text ──CR_RESPONSE,b64──▶ answer ─┤
 *    │          └─ Challenge, any other client: AUTH_FAILED,CRV1:flags:state:user:text        │
 *    │                (kept in {@link DynamicChallenges}; this connection ends) ──▶ settled   │
 *    └─ password CRV1::state::response (the client came back) ──▶ the kept challenge's answer ┤
 *                                          each later result goes round again ◀─────────────┘
 * </pre>
 *
 * <p>Messages follow openvpn 2.6 ({@code push.c: send_auth_pending_messages}, {@code
 * doc/management-notes.txt} "Challenge/Response Protocol" and "client-pending-auth"): {@code
 * AUTH_PENDING,timeout N} when the client's IV_PROTO has the keyword bit, else a bare {@code
 * AUTH_PENDING}; the client then waits N seconds for the push instead of its hand-window.
 *
 * <p>Threads: started on the control thread; every later result is put back on it before it is
 * looked at, so nothing here needs a lock. A backend's refusal is reported by the attempt ({@link
 * AdmissionAttempt#track}); the conversation's own refusals (a malformed answer, an unknown
 * challenge) are reported here.
 */
final class AuthConversation {
  private static final System.Logger LOG = System.getLogger(AuthConversation.class.getName());
  static final String CRV1_ANSWER = "CRV1::";
  static final String SCRV1 = "SCRV1:";
  /** Longest wait announced to a client (openvpn caps it at max(reneg-sec / 2, hand-window)). */
  static final Duration MAX_WAIT = Duration.ofMinutes(15);
  /** Control messages from the server must fit openvpn's push buffer (PUSH_BUNDLE_SIZE). */
  static final int MAX_MESSAGE_BYTES = 1024;
  private static final int MAX_PROMPT_CHARS = 400;
  /** openvpn's default hand-window: how long a client waits for its push unless told more. */
  static final Duration CLIENT_HAND_WINDOW = Duration.ofSeconds(60);
  private static final Duration ANSWER_SLACK = Duration.ofSeconds(10);

  /** How the conversation talks to the client; the session implements it (control thread). */
  interface Client {
    /**
     * Sends {@code messages} to the client and lets it wait up to {@code timeout} for the
     * verdict (the session's authentication deadline moves accordingly).
     */
    void waitFor(Duration timeout, List<String> messages);
  }

  /**
   * How the conversation ended.
   *
   * @param result {@link AuthResult.Accepted} or {@link AuthResult.Refused}
   * @param authFailedText what follows {@code AUTH_FAILED,} when refused: the reason's code, or
   *     the CRV1 challenge
   */
  record Settled(AuthResult result, String authFailedText) {
    static Settled of(AuthResult result) {
      return new Settled(
          result,
          result instanceof AuthResult.Refused r ? r.reason().code() : "");
    }
  }

  private final SessionHost host;
  private final AdmissionAttempt attempt;
  private final KeyMethod2Client keyMethod;
  private final X509Certificate[] chain;
  private final byte[] leafCertificate;
  private final Client client;
  private final CompletableFuture<Settled> settled = new CompletableFuture<>();
  private AuthResult.Challenge awaitingAnswer;
  private CompletableFuture<AuthResult> pendingOutcome;
  /** The answer to a static challenge (SCRV1), until the backend's first challenge takes it. */
  private String staticResponse;
  private boolean ended;

  AuthConversation(
      SessionHost host,
      AdmissionAttempt attempt,
      KeyMethod2Client keyMethod,
      X509Certificate[] chain,
      Client client) {
    this.host = host;
    this.attempt = attempt;
    this.keyMethod = keyMethod;
    this.chain = chain == null ? new X509Certificate[0] : chain.clone();
    this.leafCertificate = leaf(this.chain);
    this.client = client;
  }

  /**
   * Starts with what the client sent; the future completes at once when the pipeline decides at
   * once (certificates, auth tokens), else later on the control thread.
   *
   * <p>The password is one of: {@code CRV1::<state>::<response>}, the answer to a dynamic
   * challenge of an earlier connection; {@code SCRV1:<b64 password>:<b64 response>}, a password
   * with the answer to a static challenge ({@code static-challenge} in the client config), which
   * answers the backend's first challenge without asking the client again; or a password.
   */
  CompletableFuture<Settled> start(ClientInfo info) {
    String password = keyMethod.password();
    if (password.startsWith(CRV1_ANSWER)) {
      answerDynamicChallenge(password.substring(CRV1_ANSWER.length()));
      return settled;
    }
    if (password.startsWith(SCRV1)) {
      String[] parts = password.substring(SCRV1.length()).split(":", -1);
      try {
        if (parts.length != 2) {
          throw new IllegalArgumentException("not two fields");
        }
        password = decode(parts[0]);
        staticResponse = decode(parts[1]);
      } catch (IllegalArgumentException e) {
        refuse(RefusalReason.BAD_CREDENTIALS,
            "malformed static challenge answer (SCRV1:<base64>:<base64> expected)");
        return settled;
      }
    }
    ClientCredentials offered =
        new ClientCredentials(
            info,
            List.of(chain),
            password.isEmpty()
                ? Optional.empty()
                : Optional.of(PasswordCredential.of(keyMethod.username(), password)));
    follow(attempt.authenticate(offered));
    if (!settled.isDone()) {
      Duration longest = host.admission().authentication().longestPasswordAnswer();
      host.runOnControlThread(() -> announceSlowBackend(longest));
    }
    return settled;
  }

  /**
   * A backend that may take longer than the client's hand-window (RADIUS failover through
   * servers that are down, a push approval): an AUTH_PENDING with that time keeps the client
   * waiting instead of giving up at 60 s. Queued behind the session's key-method reply.
   */
  private void announceSlowBackend(Duration longest) {
    if (ended || settled.isDone() || awaitingAnswer != null || pendingOutcome != null
        || longest.compareTo(CLIENT_HAND_WINDOW.minus(ANSWER_SLACK)) < 0) {
      return;
    }
    Duration wait = capped(longest.plus(ANSWER_SLACK));
    client.waitFor(wait, List.of(authPending(wait)));
  }

  /** The client's {@code CR_RESPONSE,<base64>} control message (control thread). */
  void onCrResponse(String base64) {
    AuthResult.Challenge c = awaitingAnswer;
    if (c == null || ended) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: CR_RESPONSE without an open challenge ignored",
          attempt.client().sessionId());
      return;
    }
    awaitingAnswer = null;
    String answer;
    try {
      answer = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      refuse(RefusalReason.BAD_CREDENTIALS, "the CR_RESPONSE is not base64");
      return;
    }
    follow(attempt.track(respond(c.responder(), answer)));
  }

  /**
   * The session ends (closed, or its wait ran out): a late result is ignored, a pending sign-in
   * is cancelled, and the conversation settles refused at once; the caller reports the reason.
   */
  void end() {
    ended = true;
    awaitingAnswer = null;
    CompletableFuture<AuthResult> p = pendingOutcome;
    if (p != null && !p.isDone()) {
      p.cancel(false); // the backend frees what it keeps for the wait
    }
    settled.complete(
        Settled.of(AuthResult.refused(RefusalReason.AUTH_TIMEOUT, "the session ended first")));
  }

  // ---------------------------------------------------------------- results (control thread)

  private void follow(CompletionStage<AuthResult> stage) {
    CompletableFuture<AuthResult> f = stage.toCompletableFuture();
    if (f.isDone() && !f.isCompletedExceptionally() && isFinal(f.join())) {
      settle(Settled.of(f.join()));
      return;
    }
    // anything else is taken on the control thread, after the session sent its key-method
    // reply: AUTH_PENDING and INFO_PRE must follow it
    f.whenComplete(
        (r, e) ->
            host.runOnControlThread(
                () ->
                    onResult(
                        r != null
                            ? r
                            : AuthResult.refused(
                                RefusalReason.INTERNAL_ERROR, "authentication failed: " + e))));
  }

  private void onResult(AuthResult r) {
    if (ended || settled.isDone()) {
      return;
    }
    if (isFinal(r)) {
      settle(Settled.of(r));
    } else if (r instanceof AuthResult.Challenge c) {
      challenge(c);
    } else if (r instanceof AuthResult.Pending p) {
      pending(p);
    }
  }

  private void pending(AuthResult.Pending p) {
    if (pendingOutcome != null) {
      refuse(RefusalReason.INTERNAL_ERROR, "a pending authentication answered with another one");
      return;
    }
    // no URL: approval elsewhere (a push to a phone); the client only waits
    String info = p.url() == null ? null : "INFO_PRE,WEB_AUTH::" + p.url();
    if (info != null && info.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
      refuse(RefusalReason.INTERNAL_ERROR, "the sign-in URL is longer than an OpenVPN message");
      return;
    }
    pendingOutcome = p.outcome().toCompletableFuture();
    Duration wait = capped(p.timeout());
    client.waitFor(
        wait, info == null ? List.of(authPending(wait)) : List.of(authPending(wait), info));
    follow(attempt.track(pendingOutcome));
  }

  private void challenge(AuthResult.Challenge c) {
    if (staticResponse != null) {
      // the client answered a static challenge up front: that answers the backend's first one
      String answer = staticResponse;
      staticResponse = null;
      follow(attempt.track(respond(c.responder(), answer)));
      return;
    }
    String flags = c.echo() ? "R,E" : "R";
    String text = printable(c.prompt());
    Duration wait = capped(c.timeout());
    if (clientTakesCrText()) {
      awaitingAnswer = c;
      client.waitFor(wait, List.of(authPending(wait), "INFO_PRE,CR_TEXT:" + flags + ":" + text));
      return;
    }
    String user = keyMethod.username();
    String state =
        host.challenges()
            .open(
                new DynamicChallenges.Open(
                    user,
                    leafCertificate,
                    c.responder(),
                    System.nanoTime() + wait.toNanos()));
    attempt.continuesInAnotherConnection();
    String crv1 =
        "CRV1:" + flags + ":" + state + ":"
            + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)) + ":"
            + text;
    LOG.log(System.Logger.Level.INFO, "{0}: {1} challenged; the answer comes in a new connection",
        attempt.client().sessionId(), user);
    settle(
        new Settled(
            AuthResult.refused(RefusalReason.CREDENTIALS_MISSING, "challenge sent (CRV1)"),
            crv1));
  }

  /** {@code CRV1::<state>::<response>} without its prefix, from a client that came back. */
  private void answerDynamicChallenge(String stateAndResponse) {
    int sep = stateAndResponse.indexOf("::");
    if (sep < 0) {
      refuse(RefusalReason.BAD_CREDENTIALS, "malformed CRV1 answer");
      return;
    }
    DynamicChallenges.Open c = host.challenges().take(stateAndResponse.substring(0, sep));
    if (c == null) {
      refuse(RefusalReason.AUTH_TIMEOUT,
          "no open challenge for this CRV1 answer (expired, answered already, or never issued)");
      return;
    }
    if (!c.username().equals(keyMethod.username())) {
      refuse(RefusalReason.BAD_CREDENTIALS, "the challenge was issued to another user name");
      return;
    }
    if (!c.sameCertificate(leafCertificate)) {
      refuse(RefusalReason.IDENTITY_CHANGED,
          "the challenge's answer came with another client certificate than its first step");
      return;
    }
    AuthenticationPipeline pipeline = host.admission().authentication();
    if (leafCertificate.length > 0 && pipeline.acceptsCertificates()) {
      try {
        pipeline.authenticateCertificate(chain); // revoked or expired since the first step?
      } catch (AuthenticationException e) {
        refuse(e.reason(), e.getMessage());
        return;
      }
    }
    follow(attempt.track(respond(c.responder(), stateAndResponse.substring(sep + 2))));
  }

  private CompletionStage<AuthResult> respond(AuthResult.ChallengeResponder r, String answer) {
    try {
      return r.respond(PasswordCredential.of(keyMethod.username(), answer))
          .exceptionally(
              e -> AuthResult.refused(RefusalReason.INTERNAL_ERROR, "challenge answer: " + e));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          AuthResult.refused(RefusalReason.INTERNAL_ERROR, "challenge answer: " + e));
    }
  }

  private void refuse(RefusalReason reason, String message) {
    attempt.refuse(reason, message); // reported once (a no-op if the attempt ended already)
    settle(Settled.of(AuthResult.refused(reason, message)));
  }

  private void settle(Settled s) {
    if (s.result() instanceof AuthResult.Refused r) {
      attempt.refuse(r.reason(), r.message()); // no-op when tracked or handed on already
    }
    settled.complete(s);
  }

  // ---------------------------------------------------------------- messages

  private String authPending(Duration wait) {
    return keyMethod.peerInfo().has(PeerInfo.IV_PROTO_AUTH_PENDING_KW)
        ? "AUTH_PENDING,timeout " + wait.toSeconds()
        : "AUTH_PENDING";
  }

  /** Whether the client announced it shows CR_TEXT challenges ({@code setenv IV_SSO crtext}). */
  private boolean clientTakesCrText() {
    String sso = keyMethod.peerInfo().values().getOrDefault("IV_SSO", "");
    return Arrays.stream(sso.split(",")).map(String::trim).anyMatch("crtext"::equals);
  }

  private static boolean isFinal(AuthResult r) {
    return r instanceof AuthResult.Accepted || r instanceof AuthResult.Refused;
  }

  private static Duration capped(Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      return Duration.ofSeconds(60);
    }
    return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
  }

  /** A backend's prompt as one line of printable text (a Reply-Message may hold anything). */
  static String printable(String prompt) {
    StringBuilder b = new StringBuilder();
    prompt.codePoints()
        .limit(MAX_PROMPT_CHARS)
        .forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    String s = b.toString().trim();
    return s.isEmpty() ? "Enter the code" : s;
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
  }

  private static byte[] leaf(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return new byte[0];
    }
    try {
      return chain[0].getEncoded();
    } catch (CertificateEncodingException e) {
      return new byte[0];
    }
  }
}
