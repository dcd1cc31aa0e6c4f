package io.vpngateway.gateway.openvpn.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.admission.ConnectionSlot;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.message.KeyMethod2Client;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Who an OpenVPN client is and what it was given: its admission through the gateway's {@code
 * Admission} (authentication pipeline, connection budget, refusal reporting), then the data
 * cipher, the address lease and the session's registration; the re-check at every renegotiation;
 * and the release of all of it when the session ends.
 *
 * <pre>
 *   admit ──authentication──▶ reserve a connection ──▶ cipher ──▶ address ──▶ register ──▶ admitted
 *     │ (completes at once for certificates and auth tokens; later for a password backend)
 *     └──any step refused──▶ the typed reason (reported once by the attempt), everything given back
 * </pre>
 *
 * <p>Threads: {@link #admit} and everything else run on the control thread; when authentication
 * completes later (a network backend, a challenge, a web sign-in: see {@link AuthConversation}),
 * the rest of the admission is put back on the control thread before it touches the session.
 */
final class SessionAdmission {
  private final SessionHost host;
  private final TunnelSession session;
  private final Supplier<InetSocketAddress> remote;
  private static final AtomicLong STARTED = new AtomicLong();
  /** The order in which sessions began (their first packet): orders a client's connections. */
  private final long started = STARTED.incrementAndGet();

  private volatile ClientIdentity identity;
  private volatile AddressLease lease;
  private volatile DataCipherSuite cipher;
  private volatile ConnectionSlot slot;
  private AdmissionAttempt attempt;
  private AuthConversation conversation;
  private boolean useEkm;
  private boolean registered;
  private boolean released;

  SessionAdmission(SessionHost host, TunnelSession session, Supplier<InetSocketAddress> remote) {
    this.host = host;
    this.session = session;
    this.remote = remote;
  }

  ClientInfo clientInfo(KeyMethod2Client km) {
    return new ClientInfo(
        VpnProtocol.OpenVPN,
        session.id(),
        remote.get(),
        km == null ? Map.of() : km.peerInfo().values());
  }

  /**
   * Why a client was refused, and what follows {@code AUTH_FAILED,} for it: the reason's code, or
   * a CRV1 challenge (which the client answers in a new connection).
   */
  record Refusal(RefusalReason reason, String clientText) {
    static Refusal of(RefusalReason reason) {
      return new Refusal(reason, reason.code());
    }
  }

  /**
   * Admits the client of the first key state. Completes with empty when admitted (identity,
   * cipher, lease set, session registered), else with the refusal to send in {@code AUTH_FAILED}.
   * Completes at once when authentication does; otherwise on the control thread, after the
   * {@link AuthConversation} with the client (challenge, pending sign-in) has settled.
   *
   * @param chain the client's certificate chain from the TLS handshake
   * @param exporterWorks whether this TLS session can export keying material (tls-ekm)
   * @param client how the conversation tells the client to wait (AUTH_PENDING, INFO_PRE)
   */
  CompletableFuture<Optional<Refusal>> admit(
      X509Certificate[] chain,
      KeyMethod2Client km,
      BooleanSupplier exporterWorks,
      AuthConversation.Client client) {
    attempt = host.admission().begin(clientInfo(km));
    conversation = new AuthConversation(host, attempt, km, chain, client);
    return conversation.start(attempt.client()).thenApply(s -> decide(s, km, exporterWorks));
  }

  /** The client's {@code CR_RESPONSE} to a CR_TEXT challenge (control thread). */
  void onCrResponse(String base64) {
    if (conversation != null && !released) {
      conversation.onCrResponse(base64);
    }
  }

  private Optional<Refusal> decide(
      AuthConversation.Settled settled, KeyMethod2Client km, BooleanSupplier exporterWorks) {
    if (released) {
      return Optional.of(Refusal.of(RefusalReason.AUTH_TIMEOUT)); // refused (reported) by release
    }
    if (settled.result() instanceof AuthResult.Refused refused) {
      return Optional.of(new Refusal(refused.reason(), settled.authFailedText()));
    }
    AuthResult.Accepted accepted = (AuthResult.Accepted) settled.result();
    try {
      // a login that was pending (web sign-in, challenge, slow backend) when a reload tightened
      // the rules is held to the rules in force now, not those it started under
      attempt.requireLiveRules(accepted.identity());
    } catch (AuthenticationException e) {
      return Optional.of(Refusal.of(e.reason())); // refused (reported) by the attempt
    }
    identity = accepted.identity();
    // before reserving: the client's abandoned connections give their connection back first
    for (SessionAdmission older : host.admittedSessions().unusedBefore(identity.name(), this)) {
      older.superseded();
    }
    Optional<ConnectionSlot> reserved = attempt.reserve(identity);
    if (reserved.isEmpty()) {
      return Optional.of(Refusal.of(RefusalReason.MAX_CONNECTIONS_REACHED));
    }
    slot = reserved.get();
    RefusalReason refusal = claimResources(km, exporterWorks);
    if (refusal != null) {
      attempt.refuse(refusal, refusalDetail(refusal));
      slot = null; // given back by the attempt
      return Optional.of(Refusal.of(refusal));
    }
    attempt.admitted();
    host.admittedSessions().add(identity.name(), this);
    return Optional.empty();
  }

  boolean startedBefore(SessionAdmission other) {
    return started < other.started;
  }

  /** Whether the session has carried a data packet from its client (it took its push). */
  boolean carriedData() {
    return session.bytesIn() > 0;
  }

  /**
   * A newer connection of the same client was admitted while this one never carried data (see
   * {@link AdmittedSessions}): gives back the connection, address and registration at once (the
   * newer one is about to take its own), and ends the session; the client is told RESTART in case
   * it is still there after all.
   */
  private void superseded() {
    String name = identity.name();
    release(RefusalReason.INTERNAL_ERROR, "superseded"); // admitted: nothing is reported
    session.close("superseded by a newer connection of " + name + " before it carried data");
  }

  /** Cipher, address and registration of an authenticated client; null when all were given. */
  private RefusalReason claimResources(KeyMethod2Client km, BooleanSupplier exporterWorks) {
    Optional<DataCipherSuite> chosen =
        CipherNegotiation.choose(host.settings().dataCiphers(), km.peerInfo());
    if (chosen.isEmpty()) {
      return RefusalReason.NO_COMMON_CIPHER;
    }
    cipher = chosen.get();
    useEkm =
        km.peerInfo().has(PeerInfo.IV_PROTO_TLS_KEY_EXPORT) && exporterWorks.getAsBoolean();
    Optional<AddressLease> l = host.allocator().allocate(identity, VpnProtocol.OpenVPN);
    if (l.isEmpty()) {
      return RefusalReason.ADDRESS_POOL_EXHAUSTED;
    }
    lease = l.get();
    try {
      host.registry().register(session);
      registered = true;
    } catch (IllegalStateException e) {
      return RefusalReason.ADDRESS_IN_USE;
    }
    return null;
  }

  private String refusalDetail(RefusalReason reason) {
    switch (reason) {
      case NO_COMMON_CIPHER:
        return "the client offers none of " + host.settings().dataCiphers();
      case ADDRESS_POOL_EXHAUSTED:
        return "no free address in the pool for groups " + identity.groups();
      default:
        return reason.code();
    }
  }

  /**
   * At a reload: whether the session's login still meets the reloaded authentication rules, and
   * the refusal (reported like a renegotiation's) when it does not; null when it may go on. Only a
   * login the rules now refuse is looked at further, as by {@link #reauthenticate} (a certificate
   * the client showed may still prove what is now required); certificate trust is the revocation
   * enforcer's, so an admitted login costs no certificate path check here. Control thread.
   */
  RefusalReason rejudgeAtReload(X509Certificate[] chain, KeyMethod2Client km) {
    ClientIdentity who = identity;
    if (who == null) {
      return null;
    }
    try {
      host.admission().authentication().requireLiveRules(who);
      return null;
    } catch (AuthenticationException e) {
      return reauthenticate(chain, km);
    }
  }

  /**
   * Every renegotiation re-checks the certificate, so a revocation also ends live sessions, and
   * holds the session to the running config's rules, so a reload that tightened them (a
   * certificate and a password required, certificate authentication off, a certificate required)
   * ends a session whose login lacks a proof now required; the refusal is reported like a new
   * client's. Returns null when the client may go on.
   */
  RefusalReason reauthenticate(X509Certificate[] chain, KeyMethod2Client km) {
    AuthenticationPipeline authentication = host.admission().authentication();
    if (!identity.usedCertificate() && !authentication.certificateOptional()) {
      // a session admitted without a certificate, which a reload now requires: OpenVPN's TLS
      // only collects what the client shows, so the chain is checked here like a new client's
      try {
        identity = identity.alsoProvenBy(authentication.authenticateCertificate(chain));
      } catch (AuthenticationException e) {
        host.admission().report(clientInfo(km), identity.name(), e.reason(), e.getMessage());
        return e.reason();
      }
      return host.admission().rejudge(clientInfo(km), identity);
    }
    // the rules every protocol's live sessions are held to (IKEv2's and SSTP's at each reload)
    RefusalReason ruled = host.admission().rejudge(clientInfo(km), identity);
    if (ruled != null) {
      return ruled;
    }
    if (!identity.usedCertificate()) {
      return null; // a password-only identity: there is no certificate to re-check
    }
    if (identity.method() != AuthMethod.CERTIFICATE
        && !host.admission().authentication().acceptsCertificates()) {
      return null; // a reload turned certificate authentication off: the password alone stands
    }
    try {
      ClientIdentity again = host.admission().authentication().authenticateCertificate(chain);
      if (identity.method() != AuthMethod.CERTIFICATE) {
        // a password identity keeps its name and groups; its certificate must still pass
        identity = identity.alsoProvenBy(again);
        return null;
      }
      // The address lease was chosen by name and groups: a renegotiation may present a renewed
      // certificate, but not become someone else or move to another group's pool.
      if (!again.name().equals(identity.name()) || !again.groups().equals(identity.groups())) {
        host.admission()
            .report(
                clientInfo(km),
                identity.name(),
                RefusalReason.IDENTITY_CHANGED,
                "the renegotiation presented " + again.name() + " " + again.groups());
        return RefusalReason.IDENTITY_CHANGED;
      }
      // Keep the certificate actually presented now, so a later revocation re-check tests the
      // chain in use rather than the one from the first handshake; keep what the admission
      // assigned (a capped auth token's sign-in end), which a certificate check never gives.
      identity = again.withAssignment(identity.assigned());
      return null;
    } catch (AuthenticationException e) {
      host.admission().report(clientInfo(km), identity.name(), e.reason(), e.getMessage());
      return e.reason();
    }
  }

  /**
   * Gives back what the admission took (registration, address, connection). Idempotent. An
   * admission still waiting for its authentication ends refused ({@code reason}, reported); a late
   * answer is then ignored.
   */
  void release(RefusalReason reason, String message) {
    if (released) {
      return;
    }
    released = true;
    ClientIdentity who = identity;
    if (who != null) {
      host.admittedSessions().remove(who.name(), this);
    }
    if (conversation != null) {
      conversation.end();
    }
    if (attempt != null) {
      attempt.refuse(reason, message); // a no-op once admitted or refused
    }
    if (registered) {
      host.registry().unregister(session);
    }
    AddressLease l = lease;
    if (l != null) {
      l.release();
    }
    ConnectionSlot s = slot;
    if (s != null) {
      s.release();
    }
  }

  ClientIdentity identity() {
    return identity;
  }

  AddressLease lease() {
    return lease;
  }

  DataCipherSuite cipher() {
    return cipher;
  }

  boolean useEkm() {
    return useEkm;
  }
}
