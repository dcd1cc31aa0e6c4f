package io.vpngateway.gateway.auth;

import io.vpngateway.gateway.auth.token.AuthTokens;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * The gateway's authentication: typed authenticators, each optional, behind one call that every
 * protocol makes with what its client offered ({@link ClientCredentials}), answering one {@link
 * ClientIdentity} or a typed refusal.
 *
 * <ul>
 *   <li>{@link CertificateAuthenticator}: a client certificate chain (synchronous, local).
 *   <li>{@link PasswordAuthenticator}s: user name + password (RADIUS, OIDC token), asynchronous,
 *       may challenge or pend.
 *   <li>{@link AuthTokens}: our own reconnect tokens, checked before any password backend.
 *   <li>{@link EapAuthenticator}: an EAP relay, used by protocols that carry EAP ({@link #eap()}).
 * </ul>
 *
 * <p>Rules, in order, for {@link #authenticate}:
 *
 * <ol>
 *   <li>An offered certificate is checked when certificate authentication is on (a refusal ends
 *       there); with it off, an offered certificate is ignored.
 *   <li>An offered password that is one of our auth tokens: valid and (with a certificate) issued
 *       to the same name: accepted without the password backends, as a password if the login
 *       that earned it proved one, else only alongside a valid certificate (it never replaces
 *       one, and where the running config requires a password, a token earned without one is
 *       refused); forged or someone else's: {@code AuthTokenInvalid}; expired: {@code
 *       AuthTokenExpired} when a password backend is configured, else ignored.
 *   <li>Any other offered password goes to the first password backend that {@link
 *       PasswordAuthenticator#handles handles} it. With no password backend (a certificate-only
 *       gateway) a password is <b>ignored on purpose</b>: clients often send one out of habit
 *       (a profile with auth-user-pass), and refusing them would gain nothing.
 *   <li>A password identity wins over a certificate one (name, groups), and keeps the
 *       certificate so that revoking it still ends the session.
 *   <li>No checked credential at all: {@code NoClientCertificate} on a certificate-only gateway,
 *       else {@code CredentialsMissing}.
 * </ol>
 *
 * <p>To add a backend: implement the interface in its own package, then add it to the builder in
 * {@code runtime/Authentications} (built from the config). Protocols need no change.
 */
public final class AuthenticationPipeline {
  private final CertificateAuthenticator certificates;
  private final List<PasswordAuthenticator> passwords;
  private final AuthTokens tokens;
  private final EapAuthenticator eap;
  private final BooleanSupplier eapOn;
  private final MsChapV2Authenticator msChapV2;
  private final Clock clock;
  private final BooleanSupplier certificatesOn;
  private final BooleanSupplier requireBothConfigured;

  private AuthenticationPipeline(Builder b) {
    this.certificates = b.certificates;
    this.passwords = List.copyOf(b.passwords);
    this.tokens = b.tokens;
    this.eap = b.eap;
    this.eapOn = b.eapOn;
    this.msChapV2 = b.msChapV2;
    this.clock = b.clock;
    this.certificatesOn = b.certificatesOn;
    this.requireBothConfigured = b.requireBoth;
  }

  /**
   * Whether certificate authentication is on now: configured, and on in the running config (a
   * reload may turn it off and on again; the gateway then behaves as if it were absent).
   */
  private boolean certificatesOn() {
    return certificates != null && certificatesOn.getAsBoolean();
  }

  /**
   * Whether a password backend is on now: a backend that follows reloads (OIDC) may be off, and
   * the gateway then behaves as if it were not there.
   */
  private boolean anyPasswordBackend() {
    for (PasswordAuthenticator p : passwords) {
      if (p.active()) {
        return true;
      }
    }
    return false;
  }

  private boolean requireBoth() {
    return requireBothConfigured.getAsBoolean() && certificatesOn() && anyPasswordBackend();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether client certificates are checked now (and so worth asking the client for). */
  public boolean acceptsCertificates() {
    return certificatesOn();
  }

  /** Whether a password backend is configured (a password offered is then checked). */
  public boolean checksPasswords() {
    return anyPasswordBackend();
  }

  /**
   * Whether a client of a password-carrying protocol (OpenVPN) may get in without a certificate:
   * certificate authentication is off, or a password backend is on now. An EAP backend does not
   * count: OpenVPN carries no EAP, and the gateway's own EAP-TLS server (IKEv2, SSTP) is itself a
   * certificate check, so a certificate-only gateway with it still requires a certificate here.
   */
  public boolean certificateOptional() {
    return !requireBoth() && (!certificatesOn() || anyPasswordBackend());
  }

  /** Whether every client needs both a certificate and a password (see the builder). */
  public boolean requiresCertificateAndPassword() {
    return requireBoth();
  }

  /**
   * The longest any password backend may take for one answer ({@link
   * PasswordAuthenticator#longestAnswer}) of those on now; zero without password backends.
   */
  public Duration longestPasswordAnswer() {
    Duration longest = Duration.ZERO;
    for (PasswordAuthenticator p : passwords) {
      if (!p.active()) {
        continue;
      }
      Duration d = p.longestAnswer();
      if (d.compareTo(longest) > 0) {
        longest = d;
      }
    }
    return longest;
  }

  /** The certificate authenticator while certificate authentication is on. */
  public Optional<CertificateAuthenticator> certificates() {
    return certificatesOn() ? Optional.of(certificates) : Optional.empty();
  }

  public Optional<AuthTokens> authTokens() {
    return Optional.ofNullable(tokens);
  }

  /** The EAP relay, for protocols that carry EAP (IKEv2, SSTP's PPP). */
  public Optional<EapAuthenticator> eap() {
    return Optional.ofNullable(eap);
  }

  /** The MS-CHAPv2 backend (challenge-response without the password), for SSTP's PPP. */
  public Optional<MsChapV2Authenticator> msChapV2() {
    return Optional.ofNullable(msChapV2);
  }

  /**
   * The EAP backend for a client whose one credential is an EAP conversation (IKEv2 {@code auth =
   * eap}, RFC 7296 §2.16; SSTP's PPP EAP), or the refusal: no EAP backend, or the gateway requires
   * a certificate AND a password, which one EAP method never proves (EAP-TLS is the certificate
   * alone, EAP-MSCHAPv2 the password alone). Every protocol that starts EAP asks here first.
   */
  public EapAuthenticator eapAlone() throws AuthenticationException {
    if (eap == null || !eapOn.getAsBoolean()) {
      throw new AuthenticationException(
          RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "the client asked for EAP authentication, which this gateway does not offer");
    }
    refuseOneCredentialWhereBothAreRequired("EAP");
    return eap;
  }

  /**
   * The MS-CHAPv2 backend for a client whose one credential is an MS-CHAPv2 response (SSTP's
   * PPP, RFC 2759), or the refusal, by the rules of {@link #eapAlone}.
   */
  public MsChapV2Authenticator msChapV2Alone() throws AuthenticationException {
    if (msChapV2 == null) {
      throw new AuthenticationException(
          RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "MS-CHAPv2 needs a RADIUS server in authentication.radius");
    }
    refuseOneCredentialWhereBothAreRequired("MS-CHAPv2");
    return msChapV2;
  }

  private void refuseOneCredentialWhereBothAreRequired(String method)
      throws AuthenticationException {
    if (requireBoth()) {
      throw new AuthenticationException(
          RefusalReason.NO_CLIENT_CERTIFICATE,
          "this gateway requires a certificate and a password; " + method + " alone is not enough");
    }
  }

  /**
   * Decides on what the client offered (see the class comment for the rules). Never completes
   * exceptionally: a backend's failure becomes {@link RefusalReason#INTERNAL_ERROR}.
   */
  public CompletionStage<AuthResult> authenticate(ClientCredentials offered) {
    ClientIdentity byCertificate = null;
    if (offered.offersCertificate() && certificatesOn()) {
      try {
        byCertificate =
            certificates.authenticate(offered.certificateChain().toArray(new X509Certificate[0]));
      } catch (AuthenticationException e) {
        return done(AuthResult.refused(e));
      } catch (RuntimeException e) {
        return done(internalError(e));
      }
    }
    Optional<PasswordCredential> password = offered.password().filter(p -> !p.isEmpty());
    boolean requireBoth = requireBoth();
    if (requireBoth && byCertificate == null) {
      return done(AuthResult.refused(RefusalReason.NO_CLIENT_CERTIFICATE,
          "this gateway requires a client certificate and a password; no certificate was sent"));
    }
    if (requireBoth && password.isEmpty()) {
      return done(AuthResult.refused(RefusalReason.CREDENTIALS_MISSING,
          "this gateway requires a client certificate and a password; no password was sent"));
    }
    if (password.isPresent() && tokens != null) {
      String text = password.get().passwordText();
      if (AuthTokens.looksLikeToken(text)) {
        AuthResult byToken = checkToken(text, byCertificate);
        if (byToken != null) {
          return done(byToken);
        }
        password = Optional.empty(); // an expired token on a certificate-only gateway
      }
    }
    ClientInfo client = offered.client();
    Optional<PasswordCredential> offeredPassword = password;
    for (PasswordAuthenticator backend : passwords) {
      if (backend.active() && backend.handles(offeredPassword, client)) {
        return bindCertificate(call(backend, offeredPassword, client), byCertificate);
      }
    }
    if (requireBoth) {
      return done(AuthResult.refused(RefusalReason.CREDENTIALS_MISSING,
          "this gateway requires a password too, and no password backend took it"));
    }
    if (byCertificate != null) {
      return done(AuthResult.accepted(byCertificate));
    }
    if (certificatesOn() && !anyPasswordBackend()) {
      return done(
          AuthResult.refused(
              RefusalReason.NO_CLIENT_CERTIFICATE, "the client sent no certificate"));
    }
    return done(
        AuthResult.refused(
            RefusalReason.CREDENTIALS_MISSING,
            "the client offered no credential this gateway checks"
                + (offered.offersCertificate() ? " (certificate authentication is off)" : "")));
  }

  /**
   * Whether an identity accepted earlier (a login that was pending when a reload landed, a live
   * session at its renegotiation or after a reload) still has every proof the running config
   * requires: a certificate and a password under {@code requireCertificateAndPassword}, a password
   * where certificate authentication is off, a certificate where no password backend is on. A
   * password counts only while the backend that checked it is on: a RADIUS login whose RADIUS a
   * reload turned off stands only on the certificate it also proved (if that suffices now), and
   * with none is ended even where another password method (OIDC) is still on. Throws the refusal
   * when it does not.
   */
  public void requireLiveRules(ClientIdentity identity) throws AuthenticationException {
    boolean password = passwordStillChecked(identity);
    if (requireBoth() && !identity.usedCertificate()) {
      throw new AuthenticationException(
          RefusalReason.NO_CLIENT_CERTIFICATE,
          "this gateway now requires a certificate and a password; no certificate was proven");
    }
    if (requireBoth() && !password) {
      throw new AuthenticationException(
          RefusalReason.CREDENTIALS_MISSING,
          "this gateway now requires a certificate and a password; no password was proven"
              + (identity.provedPassword() ? " by a method still on" : ""));
    }
    if (!certificatesOn() && !password) {
      throw new AuthenticationException(
          RefusalReason.CREDENTIALS_MISSING,
          "certificate authentication is off and no password was proven"
              + (identity.provedPassword() ? " by a method still on" : ""));
    }
    if (!certificateOptional() && !identity.usedCertificate()) {
      throw new AuthenticationException(
          RefusalReason.NO_CLIENT_CERTIFICATE, "this gateway now requires a client certificate");
    }
  }

  /**
   * Whether the identity's password proof still counts: one of our auth tokens always (its own
   * checks apply); a RADIUS or OIDC login while a password backend of that method (or one that
   * names none) is on, and whenever no password backend names its method (an EAP or MS-CHAPv2
   * backend alone decided it, which says nothing here).
   */
  private boolean passwordStillChecked(ClientIdentity identity) {
    if (!identity.provedPassword()) {
      return false;
    }
    if (identity.method() == AuthMethod.AUTH_TOKEN) {
      return true;
    }
    boolean itsBackendIsHere = false;
    for (PasswordAuthenticator backend : passwords) {
      AuthMethod m = backend.method();
      itsBackendIsHere |= m == identity.method();
      if (backend.active() && (m == null || m == identity.method())) {
        return true;
      }
    }
    return !itsBackendIsHere;
  }

  /**
   * Checks a certificate chain alone, synchronously (a renegotiation's re-check, the revocation
   * enforcer): the rules of step 1.
   */
  public ClientIdentity authenticateCertificate(X509Certificate[] chain)
      throws AuthenticationException {
    if (!certificatesOn()) {
      throw new AuthenticationException(
          RefusalReason.CREDENTIALS_MISSING, "certificate authentication is off");
    }
    return certificates.authenticate(chain);
  }

  /**
   * The verdict on one of our tokens, or null when it is to be ignored. A token stands in for the
   * password only when the login that earned it proved one ({@link AuthTokens.Proven}), and never
   * for the certificate: where one is required, the certificate shown now is checked (so a
   * revoked certificate stays out, and a token earned by a certificate alone adds nothing to it).
   */
  private AuthResult checkToken(String token, ClientIdentity byCertificate) {
    AuthTokens.Checked t = tokens.verify(token, clock.instant());
    switch (t.verdict()) {
      case VALID:
        String name = t.name().orElse("");
        // a token cut short by its sign-in's end (OIDC exp) ends the session it admits then too
        ServerAssignment until =
            t.capped().map(ServerAssignment::until).orElse(ServerAssignment.NONE);
        boolean passwordProven = t.proven().password();
        if (byCertificate != null && !name.equals(byCertificate.name())) {
          return AuthResult.refused(
              RefusalReason.AUTH_TOKEN_INVALID, "the auth token was issued to another client");
        }
        if (requireBoth() && !passwordProven) {
          // byCertificate is set here (checked before): the token was earned without a password
          return AuthResult.refused(
              RefusalReason.CREDENTIALS_MISSING,
              "this gateway requires a certificate and a password; the auth token was earned"
                  + " without a password");
        }
        if (byCertificate == null && certificatesOn() && !anyPasswordBackend()) {
          // a certificate-only gateway: a token stands in for a password, never for the
          // certificate, else a client whose certificate was revoked would get back in with the
          // token pushed to it before (and a fresh one each renegotiation)
          return AuthResult.refused(
              RefusalReason.NO_CLIENT_CERTIFICATE,
              "the client sent no certificate (an auth token does not replace it)");
        }
        if (!passwordProven || !anyPasswordBackend()) {
          if (byCertificate != null) {
            // the certificate shown now is the proof; the token (its name checked) adds nothing
            return AuthResult.accepted(
                t.capped().isPresent() ? byCertificate.withAssignment(until) : byCertificate);
          }
          return AuthResult.refused(
              certificatesOn() ? RefusalReason.NO_CLIENT_CERTIFICATE
                  : RefusalReason.CREDENTIALS_MISSING,
              "the auth token was earned without a password and does not replace one"
                  + (certificatesOn() ? " (send the certificate)" : ""));
        }
        // a password proven before: the token's identity, bound to the certificate shown now
        return AuthResult.accepted(
            ClientIdentity.of(name, t.groups(), AuthMethod.AUTH_TOKEN, "auth-token")
                .withAssignment(until)
                .alsoProvenBy(byCertificate));
      case EXPIRED:
        return !anyPasswordBackend()
            ? null
            : AuthResult.refused(RefusalReason.AUTH_TOKEN_EXPIRED, "the auth token expired");
      case FORGED:
      default:
        return AuthResult.refused(
            RefusalReason.AUTH_TOKEN_INVALID, "the auth token is not one this gateway issued");
    }
  }

  private static CompletionStage<AuthResult> call(
      PasswordAuthenticator backend, Optional<PasswordCredential> password, ClientInfo client) {
    CompletionStage<AuthResult> stage;
    try {
      stage = backend.authenticate(password, client);
    } catch (RuntimeException e) {
      return done(internalError(e));
    }
    return stage.exceptionally(AuthenticationPipeline::internalError);
  }

  /** Keeps the certificate in a password identity, through challenges and pending logins too. */
  private static CompletionStage<AuthResult> bindCertificate(
      CompletionStage<AuthResult> stage, ClientIdentity byCertificate) {
    if (byCertificate == null) {
      return stage;
    }
    return stage.thenApply(r -> bind(r, byCertificate));
  }

  private static AuthResult bind(AuthResult r, ClientIdentity byCertificate) {
    if (r instanceof AuthResult.Accepted a) {
      return AuthResult.accepted(a.identity().alsoProvenBy(byCertificate));
    }
    if (r instanceof AuthResult.Challenge c) {
      AuthResult.ChallengeResponder inner = c.responder();
      return new AuthResult.Challenge(
          c.prompt(),
          c.echo(),
          c.timeout(),
          answer -> bindCertificate(inner.respond(answer), byCertificate));
    }
    if (r instanceof AuthResult.Pending p) {
      // the protocol cancels the outcome it holds when its client gives up: pass that on to the
      // backend's own stage, so the backend can free what it keeps for the wait
      CompletableFuture<AuthResult> source = p.outcome().toCompletableFuture();
      CompletableFuture<AuthResult> bound = source.thenApply(x -> bind(x, byCertificate));
      bound.whenComplete(
          (x, e) -> {
            if (bound.isCancelled()) {
              source.cancel(false);
            }
          });
      return new AuthResult.Pending(p.url(), p.timeout(), bound);
    }
    return r;
  }

  private static AuthResult internalError(Throwable e) {
    return AuthResult.refused(
        RefusalReason.INTERNAL_ERROR, "authentication failed unexpectedly: " + e);
  }

  private static CompletionStage<AuthResult> done(AuthResult r) {
    return CompletableFuture.completedFuture(r);
  }

  /** Assembles a pipeline; every part is optional. */
  public static final class Builder {
    private CertificateAuthenticator certificates;
    private final List<PasswordAuthenticator> passwords = new ArrayList<>();
    private AuthTokens tokens;
    private EapAuthenticator eap;
    private BooleanSupplier eapOn = () -> true;
    private MsChapV2Authenticator msChapV2;
    private Clock clock = Clock.systemUTC();
    private BooleanSupplier requireBoth = () -> false;
    private BooleanSupplier certificatesOn = () -> true;

    public Builder certificates(CertificateAuthenticator authenticator) {
      this.certificates = authenticator;
      return this;
    }

    /**
     * Certificate authentication that follows reloads: the authenticator stays in the pipeline
     * and {@code on} says whether the running config has it on (read at every decision).
     */
    public Builder certificates(CertificateAuthenticator authenticator, BooleanSupplier on) {
      this.certificates = authenticator;
      this.certificatesOn = on;
      return this;
    }

    /** Adds a password backend; backends are asked in the order added. */
    public Builder password(PasswordAuthenticator authenticator) {
      passwords.add(authenticator);
      return this;
    }

    public Builder authTokens(AuthTokens authTokens) {
      this.tokens = authTokens;
      return this;
    }

    public Builder eap(EapAuthenticator authenticator) {
      this.eap = authenticator;
      return this;
    }

    /**
     * An EAP backend that follows reloads: it stays in the pipeline (protocols offer EAP) and
     * {@code on} says whether the running config has it on (read at every login): the gateway's
     * own EAP-TLS server, on while certificate authentication is.
     */
    public Builder eap(EapAuthenticator authenticator, BooleanSupplier on) {
      this.eap = authenticator;
      this.eapOn = on;
      return this;
    }

    public Builder msChapV2(MsChapV2Authenticator authenticator) {
      this.msChapV2 = authenticator;
      return this;
    }

    /**
     * Requires a valid certificate AND an accepted password (or one of our auth tokens issued to
     * the certificate's name) from every client; either alone is refused. Seam extension for the
     * VpnGateway's {@code authentication.requireCertificateAndPassword}.
     */
    public Builder requireCertificateAndPassword(boolean value) {
      return requireCertificateAndPassword(() -> value);
    }

    /** As {@link #requireCertificateAndPassword(boolean)}, read from the running config. */
    public Builder requireCertificateAndPassword(BooleanSupplier value) {
      this.requireBoth = value;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public AuthenticationPipeline build() {
      return new AuthenticationPipeline(this);
    }
  }
}
