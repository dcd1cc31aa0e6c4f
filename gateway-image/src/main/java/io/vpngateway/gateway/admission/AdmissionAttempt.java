package io.vpngateway.gateway.admission;

import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admission of one client (see {@link Admission} for the sequence). It ends exactly once,
 * admitted or refused, and reports that once; later calls are ignored, so racing paths (a timeout
 * and a late RADIUS answer) cannot count a client twice.
 */
public final class AdmissionAttempt {
  private final Admission admission;
  private final ClientInfo client;
  private final long startNanos = System.nanoTime();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile String identity = "";
  private volatile ConnectionSlot slot;

  AdmissionAttempt(Admission admission, ClientInfo client) {
    this.admission = admission;
    this.client = client;
  }

  public ClientInfo client() {
    return client;
  }

  /**
   * Runs the authentication pipeline on what the client offered. A {@link AuthResult.Refused}
   * result ends (and reports) the attempt; the protocol only has to tell its client.
   */
  public CompletionStage<AuthResult> authenticate(ClientCredentials offered) {
    // a refused password login is listed under the name it claimed (GET /refusals, the log)
    offered.password().map(p -> p.username())
        .filter(n -> !n.isBlank() && n.length() <= 256
            && n.chars().noneMatch(Character::isISOControl))
        .ifPresent(n -> identity = n);
    return track(admission.authentication().authenticate(offered));
  }

  /**
   * Follows a later stage of the same authentication (a challenge's answer, a pending login's
   * outcome), so that its refusal is reported like the first one.
   */
  public CompletionStage<AuthResult> track(CompletionStage<AuthResult> stage) {
    return stage.thenApply(
        result -> {
          if (result instanceof AuthResult.Accepted accepted) {
            identity = accepted.identity().name();
          } else if (result instanceof AuthResult.Refused refused) {
            refuse(refused.reason(), refused.message());
          }
          return result;
        });
  }

  /**
   * Holds an identity this attempt's authentication accepted to the rules in force now ({@link
   * AuthenticationPipeline#requireLiveRules}): a login that was under way (a RADIUS round trip, an
   * EAP conversation, a web sign-in) when a reload tightened the rules must not get in under the
   * rules it started with, nor slip past the re-judging of live sessions that the reload ran
   * before it was one. Refuses the attempt (reported) and throws the refusal when it fails them.
   */
  public void requireLiveRules(ClientIdentity who) throws AuthenticationException {
    try {
      admission.authentication().requireLiveRules(who);
    } catch (AuthenticationException e) {
      identity = who.name();
      refuse(e.reason(), e.getMessage());
      throw e;
    }
  }

  /**
   * Takes a connection from the gateway-wide budget for {@code who}. Empty when the budget is used
   * up: the attempt is then refused with {@link RefusalReason#MAX_CONNECTIONS_REACHED} (reported).
   */
  public Optional<ConnectionSlot> reserve(ClientIdentity who) {
    identity = who.name();
    if (ended.get()) {
      return Optional.empty();
    }
    ConnectionSlot taken = admission.tryTake();
    if (taken == null) {
      refuse(
          RefusalReason.MAX_CONNECTIONS_REACHED,
          "all " + admission.capacity() + " connections of this replica are in use");
      return Optional.empty();
    }
    slot = taken;
    return Optional.of(taken);
  }

  /** The client is connected: counts it as a successful handshake (with its auth latency). */
  public void admitted() {
    if (ended.compareAndSet(false, true)) {
      admission.reportAdmitted(client, System.nanoTime() - startNanos);
    }
  }

  /**
   * Refuses the client (a protocol-level reason after authentication, e.g. {@link
   * RefusalReason#NO_COMMON_CIPHER}): reports it and gives back a reserved slot.
   */
  public void refuse(RefusalReason reason, String message) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    ConnectionSlot s = slot;
    if (s != null) {
      s.release();
    }
    admission.reportRefused(client, identity, reason, message, System.nanoTime() - startNanos);
  }

  /**
   * Ends the attempt without a verdict: its authentication goes on in a later connection of the
   * same client, whose own attempt reports the outcome (OpenVPN's dynamic challenge, CRV1: the
   * client is told the challenge in an AUTH_FAILED and reconnects with its answer). Nothing is
   * counted; a reserved slot is given back.
   */
  public void continuesInAnotherConnection() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    ConnectionSlot s = slot;
    if (s != null) {
      s.release();
    }
  }

  public boolean isEnded() {
    return ended.get();
  }
}
