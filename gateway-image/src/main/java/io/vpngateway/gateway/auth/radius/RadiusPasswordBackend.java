package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.auth.PasswordCredential;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.ServerAssignment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RADIUS as a password backend of the authentication pipeline (OpenVPN auth-user-pass and any
 * other protocol that hands over a user name and password): Access-Accept is an identity with the
 * groups of the configured reply attribute, Access-Reject is {@code BadCredentials} (with the
 * server's Reply-Message in the log line), Access-Challenge is an {@link AuthResult.Challenge}
 * whose answer goes back to the same server with its State, and no server answering is {@code
 * AuthServerUnavailable}. Runs on the {@link RadiusService}'s pool, never on the caller's thread.
 */
public final class RadiusPasswordBackend implements PasswordAuthenticator {
  /** How long a challenge is kept open for the user's answer (an OTP app, a push approval). */
  static final Duration CHALLENGE_TIMEOUT = Duration.ofMinutes(2);

  private final RadiusService service;

  public RadiusPasswordBackend(RadiusService service) {
    this.service = service;
  }

  /** Off while a reload has turned RADIUS off (and on again when a reload brings it back). */
  @Override
  public AuthMethod method() {
    return AuthMethod.RADIUS;
  }

  @Override
  public boolean active() {
    return service.enabled();
  }

  @Override
  public boolean handles(Optional<PasswordCredential> credential, ClientInfo client) {
    return credential.isPresent() && service.enabled();
  }

  /**
   * Every server in turn, each with its timeout for each of its {@code 1 + retries}
   * transmissions: how long a login may wait when servers are down (see {@link RadiusClient}).
   */
  @Override
  public Duration longestAnswer() {
    RadiusSettings s = service.current();
    if (s == null) {
      return Duration.ZERO;
    }
    Duration total = Duration.ZERO;
    for (RadiusServerEndpoint server : s.servers()) {
      total = total.plus(server.timeout().multipliedBy(1L + s.retries()));
    }
    return total;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(
      Optional<PasswordCredential> credential, ClientInfo client) {
    PasswordCredential c = credential.orElseThrow();
    return CompletableFuture.supplyAsync(
        () -> result(() -> service.passwords().authenticate(c.username(), c.passwordText(),
            nas(client)), c.username(), client),
        service.executor());
  }

  private AuthResult result(Exchange exchange, String user, ClientInfo client) {
    RadiusAuthResult r;
    try {
      r = exchange.run();
    } catch (RadiusException e) {
      return AuthResult.refused(RefusalReason.AUTH_SERVER_UNAVAILABLE, e.getMessage());
    }
    if (r instanceof RadiusAuthResult.Accepted a) {
      RadiusAccept accept = a.accept();
      return AuthResult.accepted(ClientIdentity.of(accept.userName(), accept.groups(),
          AuthMethod.RADIUS, "radius " + accept.server().label())
          .withAssignment(new ServerAssignment(
              accept.framedAddress(), accept.classes(), accept.interimInterval())));
    }
    if (r instanceof RadiusAuthResult.Challenged ch) {
      return new AuthResult.Challenge(
          ch.prompt().isEmpty() ? "Enter the code" : ch.prompt(),
          true,
          CHALLENGE_TIMEOUT,
          answer -> CompletableFuture.supplyAsync(
              () -> result(() -> service.passwords().answerChallenge(ch, user,
                  answer.passwordText(), nas(client)), user, client),
              service.executor()));
    }
    RadiusAuthResult.Rejected rej = (RadiusAuthResult.Rejected) r;
    String detail = rej.reason().equals(RadiusPasswordAuthenticator.NOT_PROVEN)
        ? "the RADIUS server accepted " + user + " without proving it knows the password"
            + " (MS-CHAP2-Success missing or wrong)"
        : "RADIUS rejected " + user + (rej.replyMessage().isEmpty() ? ""
            : ": " + rej.replyMessage());
    return AuthResult.refused(RefusalReason.BAD_CREDENTIALS, detail);
  }

  static NasContext nas(ClientInfo client, RadiusService service) {
    RadiusSettings s = service.current();
    return new NasContext(s == null ? "vpngw" : s.nasIdentifier(), client.remote(),
        client.sessionId(), client.protocol().crName());
  }

  private NasContext nas(ClientInfo client) {
    return nas(client, service);
  }

  @FunctionalInterface
  private interface Exchange {
    RadiusAuthResult run() throws RadiusException;
  }
}
