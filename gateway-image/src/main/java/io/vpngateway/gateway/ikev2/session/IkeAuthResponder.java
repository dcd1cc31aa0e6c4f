package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.admission.ConnectionSlot;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.ClientCredentials;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.crypto.JcaInstances;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.crypto.SignatureAuthentication;
import io.vpngateway.gateway.ikev2.exception.AuthenticationFailedException;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InternalAddressFailureException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.NoProposalChosenException;
import io.vpngateway.gateway.ikev2.message.AuthPayload;
import io.vpngateway.gateway.ikev2.message.CertPayload;
import io.vpngateway.gateway.ikev2.message.ConfigAttribute;
import io.vpngateway.gateway.ikev2.message.ConfigPayload;
import io.vpngateway.gateway.ikev2.message.IdPayload;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import io.vpngateway.gateway.ikev2.message.TsPayload;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.session.TunnelSession;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The responder side of IKE_AUTH with certificates, RFC 7296 §1.2 and §2.15:
 *
 * <pre>
 *   HDR, SK {IDi, CERT+, [CERTREQ,] [IDr,] AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr} --&gt;
 *   &lt;--  HDR, SK {IDr, CERT+, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}
 * </pre>
 *
 * <ol>
 *   <li>IDi must name the client's leaf certificate ({@link IdentityBinding}) and its AUTH must
 *       verify with that certificate's key over IKE_SA_INIT request | Nr | prf(SK_pi, IDi'); the
 *       configuration request, an ESP proposal and the traffic selectors must be acceptable;
 *   <li>then the gateway's admission decides (the authentication pipeline with the same PKIX
 *       trust, CRL and thumbprints as every protocol, and the gateway-wide connection budget),
 *       possibly later (the answer waits for it on the control thread);
 *   <li>the client gets an inner address from its group's pool, its selectors are narrowed to
 *       that address and to what the gateway routes, and the session is registered with the data
 *       plane before the answer leaves, so the client's first ESP packet finds it.
 * </ol>
 *
 * Any failure answers the error notification alone and ends the IKE SA (§2.21.2); every refusal
 * is reported by the admission service with its typed reason (log, metrics, {@code GET
 * /refusals}).
 */
final class IkeAuthResponder {
  private static final System.Logger LOG = System.getLogger(IkeAuthResponder.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IkeEngine engine;
  private final EapRounds eapRounds;

  IkeAuthResponder(IkeEngine engine) {
    this.engine = engine;
    this.eapRounds = new EapRounds(engine, this);
  }

  /** What was checked before the admission: kept for the answer (chain null with EAP). */
  record Offer(
      X509Certificate[] chain,
      ConfigPayload cfg,
      ProposalPolicy.Chosen<EspSuite> esp,
      TsPayload tsi,
      List<TrafficSelector> local) {}

  Reply handle(IkeSa sa, IkeMessage request, long now) throws IkeProtocolException {
    if (sa.state != IkeSa.State.HALF_OPEN) {
      throw new InvalidSyntaxException("IKE_AUTH on an IKE SA that is already authenticated");
    }
    if (sa.eap != null) {
      return eapRounds.next(sa, request, now);
    }
    if (request.first(AuthPayload.class).isEmpty()) {
      return eapRounds.start(sa, request, now); // no AUTH: the client asks for EAP (§2.16)
    }
    String sessionId = newSessionId();
    Map<String, String> attributes =
        request.id(true).map(i -> Map.of("IDi", describe(i))).orElse(Map.of());
    AdmissionAttempt attempt =
        engine.admission.begin(new ClientInfo(VpnProtocol.IKEv2, sessionId, sa.peer, attributes));
    Offer offer;
    try {
      offer = check(sa, request);
    } catch (IkeProtocolException e) {
      refused(attempt, e);
      throw e;
    }
    var stage =
        attempt.authenticate(ClientCredentials.certificate(attempt.client(), offer.chain()));
    var done = stage.toCompletableFuture();
    if (done.isDone()) {
      return admitted(sa, request, offer, attempt, sessionId, done.join(), now);
    }
    return Reply.after(
        stage,
        result -> admitted(sa, request, offer, attempt, sessionId, result, System.nanoTime()));
  }

  /** Everything that can be checked before the trust store and the budget are asked. */
  private Offer check(IkeSa sa, IkeMessage request) throws IkeProtocolException {
    return offer(request, proofOfPossession(sa, request));
  }

  /** The client's configuration request, CHILD_SA proposal and selectors, checked. */
  Offer offer(IkeMessage request, X509Certificate[] chain) throws IkeProtocolException {
    Ikev2Policy policy = engine.policy;
    ConfigPayload cfg =
        request.first(ConfigPayload.class)
            .filter(c -> c.cfgType() == ConfigPayload.CFG_REQUEST
                && c.has(ConfigAttribute.INTERNAL_IP4_ADDRESS))
            .orElseThrow(
                () -> new IkeProtocolException(NotifyType.FAILED_CP_REQUIRED,
                    "the client did not ask for an inner IPv4 address"));
    SaPayload childSa =
        request.first(SaPayload.class)
            .orElseThrow(() -> new InvalidSyntaxException("IKE_AUTH without a child SA"));
    TsPayload tsi = request.ts(true).orElseThrow(() -> new InvalidSyntaxException("no TSi"));
    TsPayload tsr = request.ts(false).orElseThrow(() -> new InvalidSyntaxException("no TSr"));
    ProposalPolicy.Chosen<EspSuite> esp =
        ProposalPolicy.selectEsp(policy.espProposals(), childSa.proposals(), false, -1)
            .orElseThrow(() -> new NoProposalChosenException("no acceptable ESP proposal"));
    List<TrafficSelector> local =
        TrafficSelectorNarrowing.toAllowed(
            tsr.selectors(), policy.allowedRanges());
    return new Offer(chain, cfg, esp, tsi, local);
  }

  /** After the admission's authentication: budget, address, session, CHILD_SA, answer. */
  private Reply admitted(
      IkeSa sa,
      IkeMessage request,
      Offer offer,
      AdmissionAttempt attempt,
      String sessionId,
      AuthResult result,
      long now)
      throws IkeProtocolException {
    ClientIdentity identity;
    if (result instanceof AuthResult.Accepted accepted) {
      identity = accepted.identity();
    } else if (result instanceof AuthResult.Refused refused) {
      engine.stats.authFailures.increment(); // reported by the attempt
      throw new AuthenticationFailedException(refused.reason(), refused.message());
    } else {
      IkeProtocolException e =
          new AuthenticationFailedException(RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
              "the gateway asked for an interactive step IKEv2 certificate clients cannot do");
      refused(attempt, e);
      throw e;
    }
    replaceEarlierSessions(identity, request);
    return admit(sa, offer, attempt, sessionId, identity, () -> ourAuthentication(sa, request),
        now);
  }

  /** Our identity and AUTH for the final answer (certificate signature, or the EAP MSK MIC). */
  @FunctionalInterface
  interface Authentication {
    List<IkePayload> payloads() throws IkeProtocolException;
  }

  /**
   * An authenticated client: a connection of the budget, an address, the session and its
   * CHILD_SA, and the final IKE_AUTH answer ({@code authentication} then CP, SA, TSi, TSr).
   */
  Reply admit(
      IkeSa sa,
      Offer offer,
      AdmissionAttempt attempt,
      String sessionId,
      ClientIdentity identity,
      Authentication authentication,
      long now)
      throws IkeProtocolException {
    Optional<ConnectionSlot> slot = attempt.reserve(identity);
    if (slot.isEmpty()) {
      engine.stats.authFailures.increment(); // MaxConnectionsReached, reported by the attempt
      throw new AuthenticationFailedException(
          RefusalReason.MAX_CONNECTIONS_REACHED, "the gateway admits no more connections");
    }
    AddressLease lease = null;
    try {
      lease =
          engine.allocator
              .allocate(identity, VpnProtocol.IKEv2)
              .orElseThrow(
                  () -> new InternalAddressFailureException(
                      "the address pool of " + identity.name() + " is exhausted"));
      long address = Integer.toUnsignedLong(ByteBuffer.wrap(lease.address().getAddress()).getInt());
      List<TrafficSelector> remote =
          TrafficSelectorNarrowing.toAddress(offer.tsi().selectors(), address);
      List<IkePayload> answer = new ArrayList<>(authentication.payloads());
      Ikev2Session session = newSession(sa, sessionId, identity, lease, slot.get());
      try {
        // registered first, then held to the rules in force now: a reload that tightened them
        // while this login was under way (an EAP round trip) is either seen here or sees this
        // session among the live ones it judges (Admission.endSessionsNoLongerAdmitted)
        attempt.requireLiveRules(identity);
      } catch (AuthenticationException e) {
        throw new AuthenticationFailedException(e.reason(), e.getMessage()); // ends the session
      }
      int ourSpi = engine.childSas.allocateSpi();
      ChildSa child =
          ChildSaBuilder.install(
              engine, sa, offer.esp().suite(), ourSpi,
              (int) offer.esp().peerProposal().spiValue(), null, sa.ni, sa.nr, false,
              offer.local(), remote, now);
      session.useForSending(child);
      answer.add(ConfigReply.build(offer.cfg(), address, engine.policy));
      answer.add(new SaPayload(List.of(offer.esp().suite().toProposal(
          offer.esp().peerProposal().number(), ourSpi))));
      answer.add(new TsPayload(true, remote));
      answer.add(new TsPayload(false, offer.local()));

      sa.state = IkeSa.State.ESTABLISHED;
      engine.halfOpen.remove(sa);
      sa.dropInitMessages();
      sa.rekeyAtNanos = now + jittered(engine.policy.ikeLifetime().toNanos());
      engine.stats.established.increment();
      attempt.admitted();
      // one line per connect: built by concatenation, not a MessageFormat pattern (parsed and
      // formatted again for every record, a visible share of the control thread per handshake)
      LOG.log(System.Logger.Level.INFO,
          session.id() + ": " + identity.name() + " connected from " + sa.peer + " as "
              + lease.address().getHostAddress() + " (" + identity.method() + "), IKE "
              + sa.suite + ", ESP " + offer.esp().suite() + ", " + offer.local() + " <-> "
              + remote);
      return Reply.of(answer);
    } catch (IkeProtocolException | RuntimeException e) {
      IkeProtocolException failure =
          e instanceof IkeProtocolException p
              ? p
              : new IkeProtocolException(NotifyType.AUTHENTICATION_FAILED, "internal error: " + e);
      if (sa.session != null) {
        engine.endSession(sa.session, "IKE_AUTH failed: " + failure.refusalReason().code());
      } else {
        if (lease != null) {
          lease.release();
        }
      }
      engine.stats.authFailures.increment();
      attempt.refuse(
          e instanceof IkeProtocolException ? failure.refusalReason() : RefusalReason.INTERNAL_ERROR,
          failure.getMessage());
      if (e instanceof RuntimeException r) {
        LOG.log(System.Logger.Level.WARNING, "IKE_AUTH of " + identity.name() + " failed", r);
      }
      throw failure;
    }
  }

  void refused(AdmissionAttempt attempt, IkeProtocolException e) {
    engine.stats.authFailures.increment();
    attempt.refuse(e.refusalReason(), e.getMessage());
  }

  /** The client's chain, once IDi names its leaf and its AUTH verifies with the leaf's key. */
  private X509Certificate[] proofOfPossession(IkeSa sa, IkeMessage request)
      throws IkeProtocolException {
    IdPayload idi = request.id(true).orElseThrow(() -> new InvalidSyntaxException("no IDi"));
    AuthPayload auth = request.first(AuthPayload.class).orElseThrow();
    X509Certificate[] chain = certificates(request);
    if (!IdentityBinding.matches(idi, chain[0])) {
      throw new AuthenticationFailedException(
          RefusalReason.INVALID_CERTIFICATE, "IDi does not name the client certificate");
    }
    byte[] octets =
        SignatureAuthentication.signedOctets(
            sa.initRequest, sa.nr, sa.suite.prf(), sa.keys.skPi(), idi.body());
    SignatureAuthentication.verify(auth, chain[0].getPublicKey(), octets);
    return chain;
  }

  private static X509Certificate[] certificates(IkeMessage request)
      throws AuthenticationFailedException {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory cf = JcaInstances.certificateFactory();
      for (CertPayload c : request.all(CertPayload.class)) {
        if (c.encoding() != CertPayload.X509_SIGNATURE) {
          continue;
        }
        chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.data())));
      }
    } catch (CertificateException | ClassCastException e) {
      throw new AuthenticationFailedException(RefusalReason.INVALID_CERTIFICATE,
          "a CERT payload does not hold an X.509 certificate");
    }
    if (chain.isEmpty()) {
      throw new AuthenticationFailedException(
          RefusalReason.NO_CLIENT_CERTIFICATE, "the client sent no X.509 certificate");
    }
    return chain.toArray(X509Certificate[]::new);
  }

  /** INITIAL_CONTACT: the client has no other IKE SA with us, so older ones are stale (§2.4). */
  void replaceEarlierSessions(ClientIdentity identity, IkeMessage request) {
    if (request.notify(NotifyType.INITIAL_CONTACT).isEmpty()) {
      return;
    }
    for (TunnelSession s : engine.registry.all()) {
      if (s.protocol() == VpnProtocol.IKEv2 && s.identity().name().equals(identity.name())) {
        s.close("replaced by a new connection of the same client (INITIAL_CONTACT)");
      }
    }
  }

  private Ikev2Session newSession(
      IkeSa sa, String id, ClientIdentity identity, AddressLease lease, ConnectionSlot slot) {
    Ikev2Session session =
        new Ikev2Session(id, identity, lease, slot, sa.peer, engine.transport,
            engine::closeFromOutside);
    session.ikeSa = sa;
    sa.session = session;
    session.attachSink(engine.sinks.apply(lease.address()));
    engine.registry.register(session);
    return session;
  }

  /** IDr, our certificates and our AUTH payload (a signature with the server key). */
  List<IkePayload> ourAuthentication(IkeSa sa, IkeMessage request) throws IkeProtocolException {
    Ikev2Policy policy = engine.policy;
    IdPayload idr = IdentityBinding.responderIdentity(request.id(false), policy.serverChain().get(0));
    List<IkePayload> out = new ArrayList<>();
    out.add(idr);
    try {
      for (X509Certificate c : policy.serverChain()) {
        out.add(new CertPayload(CertPayload.X509_SIGNATURE, c.getEncoded()));
      }
      byte[] octets =
          SignatureAuthentication.signedOctets(
              sa.initResponse, sa.ni, sa.suite.prf(), sa.keys.skPr(), idr.body());
      out.add(SignatureAuthentication.sign(policy.serverKey(), octets, sa.peerSignatureHashes));
    } catch (GeneralSecurityException e) {
      throw new AuthenticationFailedException(
          RefusalReason.INTERNAL_ERROR, "cannot sign with the server key: " + e.getMessage());
    }
    return out;
  }

  static String newSessionId() {
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    return "ike-" + HexFormat.of().formatHex(id);
  }

  /** IDi as text for the admission's client info (no secret: it is a name). */
  static String describe(IdPayload id) {
    return switch (id.idType()) {
      case IdPayload.ID_FQDN, IdPayload.ID_RFC822_ADDR -> id.text();
      case IdPayload.ID_DER_ASN1_DN -> dnName(id.data());
      default -> "type " + id.idType();
    };
  }

  /** DNs already named, by their DER: most clients reconnect with the same IDi. */
  private static final Map<ByteBuffer, String> DN_NAMES = new ConcurrentHashMap<>();

  private static final int DN_NAMES_MAX = 4096;
  private static final int DN_NAMED_MAX_BYTES = 1024;

  /**
   * RFC 2253 text of a DER DN, remembered: parsing the DN and formatting it again cost ~1.5 % of
   * the control thread per handshake (gateway-image/BENCHMARKS.md). The text is a function of the
   * bytes alone, so a remembered one is exact; the map is bounded (cleared when full, long DNs
   * not kept) so that clients that never authenticate cannot grow it.
   */
  static String dnName(byte[] der) {
    ByteBuffer key = ByteBuffer.wrap(der);
    String name = DN_NAMES.get(key);
    if (name != null) {
      return name;
    }
    try {
      name = new javax.security.auth.x500.X500Principal(der).getName();
    } catch (IllegalArgumentException e) {
      return "(malformed DN)";
    }
    if (der.length <= DN_NAMED_MAX_BYTES) {
      if (DN_NAMES.size() >= DN_NAMES_MAX) {
        DN_NAMES.clear();
      }
      DN_NAMES.put(key, name);
    }
    return name;
  }

  /** Up to 10% earlier, so a fleet of SAs does not rekey in lockstep. */
  static long jittered(long nanos) {
    return nanos - (long) (RANDOM.nextDouble() * nanos / 10);
  }
}
