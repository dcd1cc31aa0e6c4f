package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
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
import io.vpngateway.gateway.session.ClientIdentity;
import io.vpngateway.gateway.session.Protocol;
import io.vpngateway.gateway.session.TunnelSession;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

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
 *       verify with that certificate's key over IKE_SA_INIT request | Nr | prf(SK_pi, IDi'); then
 *       the chain goes through the gateway's certificate authenticator (the same PKIX trust, CRL
 *       and thumbprints as every protocol);
 *   <li>the client gets an inner address from its group's pool (CP), its selectors are narrowed
 *       to that address and to what the gateway routes, and an ESP proposal is chosen;
 *   <li>the session is registered with the data plane before the answer leaves, so the client's
 *       first ESP packet finds it.
 * </ol>
 *
 * Any failure answers the error notification alone and ends the IKE SA (§2.21.2).
 */
final class IkeAuthResponder {
  private static final System.Logger LOG = System.getLogger(IkeAuthResponder.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IkeEngine engine;

  IkeAuthResponder(IkeEngine engine) {
    this.engine = engine;
  }

  Reply handle(IkeSa sa, IkeMessage request, long now) throws IkeProtocolException {
    if (sa.state != IkeSa.State.HALF_OPEN) {
      throw new InvalidSyntaxException("IKE_AUTH on an IKE SA that is already authenticated");
    }
    long started = System.nanoTime();
    AddressLease lease = null;
    boolean authenticatorAsked = false;
    try {
      Ikev2Policy policy = engine.policy;
      // everything that can be checked without the trust store first: the authenticator counts
      // its own outcome in the gateway's handshake metrics, the rest is counted here
      Client client = proofOfPossession(sa, request);
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
              tsr.selectors(), TrafficSelectorNarrowing.allowedRanges(policy));
      authenticatorAsked = true;
      ClientIdentity identity;
      try {
        identity = engine.authenticator.authenticate(client.chain());
      } catch (AuthenticationException e) {
        throw new AuthenticationFailedException(e.reason(), e.getMessage());
      }
      authenticatorAsked = false;
      admit(identity, request);
      lease =
          engine.allocator
              .allocate(identity, Protocol.IKEV2)
              .orElseThrow(
                  () -> new InternalAddressFailureException(
                      "the address pool of " + identity.name() + " is exhausted"));
      long address = Integer.toUnsignedLong(
          java.nio.ByteBuffer.wrap(lease.address().getAddress()).getInt());
      List<TrafficSelector> remote = TrafficSelectorNarrowing.toAddress(tsi.selectors(), address);

      Ikev2Session session = newSession(sa, identity, lease);
      List<IkePayload> answer = ourAuthentication(sa, request);
      int ourSpi = engine.childSas.allocateSpi();
      ChildSa child =
          ChildSaBuilder.install(
              engine, sa, esp.suite(), ourSpi, (int) esp.peerProposal().spiValue(), null, sa.ni,
              sa.nr, false, local, remote, now);
      session.useForSending(child);
      answer.add(ConfigReply.build(cfg, address, policy));
      answer.add(new SaPayload(List.of(esp.suite().toProposal(esp.peerProposal().number(),
          ourSpi))));
      answer.add(new TsPayload(true, remote));
      answer.add(new TsPayload(false, local));

      sa.state = IkeSa.State.ESTABLISHED;
      engine.halfOpen.remove(sa);
      sa.dropInitMessages();
      sa.rekeyAtNanos = now + jittered(policy.ikeLifetime().toNanos());
      engine.stats.established.increment();
      LOG.log(System.Logger.Level.INFO,
          "{0}: {1} connected from {2} as {3}, IKE {4}, ESP {5}, {6} <-> {7}",
          session.id(), identity.name(), sa.peer, lease.address().getHostAddress(), sa.suite,
          esp.suite(), local, remote);
      return Reply.of(answer);
    } catch (IkeProtocolException e) {
      if (lease != null && (sa.session == null || sa.session.lease() != lease)) {
        lease.release();
      }
      if (sa.session != null) {
        engine.endSession(sa.session, "IKE_AUTH failed: " + e.reason());
      }
      engine.stats.authFailures.increment();
      if (!authenticatorAsked) {
        engine.observer.failed(e.reason(), System.nanoTime() - started);
      }
      throw e;
    }
  }

  /** The client's chain, once IDi names its leaf and its AUTH verifies with the leaf's key. */
  private record Client(X509Certificate[] chain) {}

  private Client proofOfPossession(IkeSa sa, IkeMessage request) throws IkeProtocolException {
    IdPayload idi = request.id(true).orElseThrow(() -> new InvalidSyntaxException("no IDi"));
    Optional<AuthPayload> auth = request.first(AuthPayload.class);
    if (auth.isEmpty()) {
      throw new AuthenticationFailedException(
          "EapNotOffered", "the client asked for EAP authentication, which is not enabled");
    }
    X509Certificate[] chain = certificates(request);
    if (!IdentityBinding.matches(idi, chain[0])) {
      throw new AuthenticationFailedException(
          "IdentityMismatch", "IDi does not name the client certificate");
    }
    byte[] octets =
        SignatureAuthentication.signedOctets(
            sa.initRequest, sa.nr, sa.suite.prf(), sa.keys.skPi(), idi.body());
    SignatureAuthentication.verify(auth.get(), chain[0].getPublicKey(), octets);
    return new Client(chain);
  }

  private static X509Certificate[] certificates(IkeMessage request)
      throws AuthenticationFailedException {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (CertPayload c : request.all(CertPayload.class)) {
        if (c.encoding() != CertPayload.X509_SIGNATURE) {
          continue;
        }
        chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.data())));
      }
    } catch (CertificateException | ClassCastException e) {
      throw new AuthenticationFailedException("InvalidCertificate",
          "a CERT payload does not hold an X.509 certificate");
    }
    if (chain.isEmpty()) {
      throw new AuthenticationFailedException(
          "NoCertificate", "the client sent no X.509 certificate");
    }
    return chain.toArray(X509Certificate[]::new);
  }

  /** The gateway's budget, and INITIAL_CONTACT: the client has no other SA with us (§2.4). */
  private void admit(ClientIdentity identity, IkeMessage request) throws IkeProtocolException {
    if (request.notify(NotifyType.INITIAL_CONTACT).isPresent()) {
      for (TunnelSession s : engine.registry.all()) {
        if (s.protocol() == Protocol.IKEV2 && s.identity().name().equals(identity.name())) {
          s.close("replaced by a new connection of the same client (INITIAL_CONTACT)");
        }
      }
    }
    long live = engine.registry.all().stream().filter(s -> s.protocol() == Protocol.IKEV2).count();
    if (live >= engine.policy.maxSessions()) {
      throw new AuthenticationFailedException(
          "GatewayFull", "the gateway admits no more IKEv2 sessions (" + live + " live)");
    }
  }

  private Ikev2Session newSession(IkeSa sa, ClientIdentity identity, AddressLease lease) {
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    Ikev2Session session =
        new Ikev2Session(
            "ike-" + HexFormat.of().formatHex(id),
            identity,
            lease,
            sa.peer,
            engine.transport,
            engine::closeFromOutside);
    session.ikeSa = sa;
    sa.session = session;
    session.attachSink(engine.sinks.apply(lease.address()));
    engine.registry.register(session);
    return session;
  }

  /** IDr, our certificates and our AUTH payload. */
  private List<IkePayload> ourAuthentication(IkeSa sa, IkeMessage request)
      throws IkeProtocolException {
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
          "ServerKeyError", "cannot sign with the server key: " + e.getMessage());
    }
    return out;
  }

  /** Up to 10% earlier, so a fleet of SAs does not rekey in lockstep. */
  static long jittered(long nanos) {
    return nanos - (long) (RANDOM.nextDouble() * nanos / 10);
  }
}
