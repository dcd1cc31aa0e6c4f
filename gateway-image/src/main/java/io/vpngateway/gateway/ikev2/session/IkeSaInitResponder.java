package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.CookieGenerator;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.IkeSaKeys;
import io.vpngateway.gateway.ikev2.crypto.IkeSuite;
import io.vpngateway.gateway.ikev2.crypto.KeyExchange;
import io.vpngateway.gateway.ikev2.crypto.NatDetection;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.crypto.SignatureAuthentication;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.NoProposalChosenException;
import io.vpngateway.gateway.ikev2.message.CertRequestPayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.KePayload;
import io.vpngateway.gateway.ikev2.message.NoncePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The responder side of IKE_SA_INIT, RFC 7296 §1.2:
 *
 * <pre>
 *   HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*), [N(COOKIE)] [N(IKEV2_FRAGMENTATION_SUPPORTED)]
 *        [N(SIGNATURE_HASH_ALGORITHMS)]   --&gt;
 *   &lt;--  HDR, SAr1, KEr, Nr, N(NAT_DETECTION_*), CERTREQ, [N(IKEV2_FRAGMENTATION_SUPPORTED)]
 *        [N(SIGNATURE_HASH_ALGORITHMS)]
 * </pre>
 *
 * <ul>
 *   <li>A retransmitted request (same SPIi, address and bytes) gets the same answer again.
 *   <li>Above the cookie threshold of half-open SAs, a request without a valid cookie is answered
 *       with N(COOKIE) only and leaves no state (§2.6); the half-open table is bounded in total
 *       and per source address, beyond which requests are dropped and counted.
 *   <li>A KE payload for another group than the one we choose gets INVALID_KE_PAYLOAD with our
 *       group (§1.2); an unacceptable proposal NO_PROPOSAL_CHOSEN.
 *   <li>ESP runs in UDP (RFC 3948) because this gateway has no kernel ESP: our
 *       NAT_DETECTION_SOURCE_IP never matches, so the client detects "NAT" and moves to port 4500
 *       with UDP encapsulation (the "fake NAT" that strongSwan's {@code encap=yes} uses from the
 *       other side). A client without NAT-T support is refused.
 * </ul>
 */
final class IkeSaInitResponder {
  private static final System.Logger LOG = System.getLogger(IkeSaInitResponder.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int NONCE_LENGTH = 32;

  private final IkeEngine engine;
  private final CookieGenerator cookies = new CookieGenerator();

  IkeSaInitResponder(IkeEngine engine) {
    this.engine = engine;
  }

  void handle(ReceivedIkeMessage m, InetSocketAddress from, boolean natT, long now) {
    IkeHeader h = m.header();
    HalfOpenTable table = engine.halfOpen;
    IkeSa known = table.find(h.initiatorSpi(), from);
    if (known != null && known.initRequest != null && Arrays.equals(known.initRequest, m.bytes())) {
      engine.stats.retransmitsAnswered.increment();
      engine.transport.sendIke(known.initResponse, from, natT);
      return;
    }
    IkeMessage request = m.clear();
    Ikev2Policy policy = engine.policy;
    try {
      Optional<NoncePayload> ni = request.first(NoncePayload.class);
      Optional<SaPayload> sa = request.first(SaPayload.class);
      Optional<KePayload> ke = request.first(KePayload.class);
      if (ni.isEmpty() || sa.isEmpty() || ke.isEmpty()) {
        throw new InvalidSyntaxException("IKE_SA_INIT without SA, KE or Nonce");
      }
      if (table.size() >= policy.cookieThreshold() && !validCookie(request, ni.get(), from)) {
        engine.stats.cookiesSent.increment();
        byte[] cookie = cookies.cookie(ni.get().nonce(), from, h.initiatorSpi());
        reply(h, 0, List.of(NotifyPayload.of(NotifyType.COOKIE, cookie)), from, natT);
        return;
      }
      if (known == null
          && (table.size() >= policy.maxHalfOpen()
              || table.fromSource(from.getAddress()) >= policy.maxHalfOpenPerSource())) {
        engine.stats.halfOpenDropped.increment();
        return;
      }
      ProposalPolicy.Chosen<IkeSuite> chosen =
          ProposalPolicy.selectIke(policy.ikeProposals(), sa.get().proposals(), ke.get().group())
              .orElseThrow(
                  () -> new NoProposalChosenException("no acceptable IKE proposal offered"));
      IkeSuite suite = chosen.suite();
      if (ke.get().group() != suite.group().number()) {
        throw new InvalidKePayloadException(
            suite.group().number(),
            "KE for group " + ke.get().group() + ", we chose " + suite.group());
      }
      List<NotifyPayload> natSource = request.notifies(NotifyType.NAT_DETECTION_SOURCE_IP);
      if (natSource.isEmpty() || request.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).isEmpty()) {
        throw new NoProposalChosenException(
            "the client does not support NAT traversal (RFC 3948), which ESP in user space needs");
      }
      respond(m, request, policy, suite, chosen, ni.get().nonce(), ke.get(), from, natT, now,
          known);
    } catch (IkeProtocolException e) {
      engine.stats.errorsSent.increment();
      LOG.log(System.Logger.Level.INFO, "IKE_SA_INIT from {0} refused: {1} ({2})", from,
          NotifyType.name(e.notifyType()), e.getMessage());
      reply(h, 0, List.of(NotifyPayload.of(e.notifyType(), e.notifyData())), from, natT);
    }
  }

  private boolean validCookie(IkeMessage request, NoncePayload ni, InetSocketAddress from) {
    return request
        .notify(NotifyType.COOKIE)
        .map(n -> cookies.verify(n.data(), ni.nonce(), from, request.header().initiatorSpi()))
        .orElse(false);
  }

  private void respond(
      ReceivedIkeMessage m,
      IkeMessage request,
      Ikev2Policy policy,
      IkeSuite suite,
      ProposalPolicy.Chosen<IkeSuite> chosen,
      byte[] ni,
      KePayload ke,
      InetSocketAddress from,
      boolean natT,
      long now,
      IkeSa replaced)
      throws IkeProtocolException {
    IkeHeader h = m.header();
    KeyExchange dh = suite.group().newKeyExchange();
    byte[] sharedSecret = dh.sharedSecret(ke.data());
    byte[] nr = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nr);
    long spiR = engine.newSpi();
    IkeSaKeys keys =
        IkeSaKeys.derive(
            suite,
            IkeSaKeys.skeyseed(suite.prf(), ni, nr, sharedSecret),
            ni,
            nr,
            h.initiatorSpi(),
            spiR);
    Arrays.fill(sharedSecret, (byte) 0);

    List<IkePayload> payloads = new ArrayList<>();
    payloads.add(new SaPayload(List.of(suite.toProposal(chosen.peerProposal().number(),
        new byte[0]))));
    payloads.add(new KePayload(suite.group().number(), dh.publicValue()));
    payloads.add(new NoncePayload(nr));
    // a source hash that cannot match: the client sees us "behind NAT" and encapsulates ESP
    byte[] fakeSource = new byte[20];
    RANDOM.nextBytes(fakeSource);
    payloads.add(NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, fakeSource));
    payloads.add(
        NotifyPayload.of(
            NotifyType.NAT_DETECTION_DESTINATION_IP,
            NatDetection.hash(h.initiatorSpi(), spiR, from)));
    payloads.add(CertRequestPayload.x509(policy.certificateRequestKeyHashes()));
    boolean fragmentation = request.notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED).isPresent();
    if (fragmentation) {
      payloads.add(NotifyPayload.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    }
    Optional<NotifyPayload> hashes = request.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS);
    if (hashes.isPresent()) {
      payloads.add(
          NotifyPayload.of(
              NotifyType.SIGNATURE_HASH_ALGORITHMS,
              SignatureAuthentication.supportedHashesNotifyData()));
    }
    IkeHeader responseHeader =
        IkeHeader.of(h.initiatorSpi(), spiR, 0, ExchangeType.IKE_SA_INIT, false, true,
            h.messageId());
    byte[] response = new IkeMessage(responseHeader, payloads).encode();

    IkeSa sa = new IkeSa(h.initiatorSpi(), spiR, false, suite, keys, from, natT, now);
    sa.state = IkeSa.State.HALF_OPEN;
    sa.fragmentation = fragmentation;
    sa.peerSignatureHashes =
        hashes.map(n -> SignatureAuthentication.parseHashes(n.data())).orElse(java.util.Set.of());
    sa.initRequest = m.bytes();
    sa.initResponse = response;
    sa.ni = ni;
    sa.nr = nr;
    sa.expectedRequestId = 1;
    sa.lastResponseId = 0;
    sa.halfOpenDeadlineNanos = now + policy.halfOpenTimeout().toNanos();
    if (replaced != null) {
      engine.forget(replaced);
    }
    engine.add(sa);
    engine.halfOpen.add(sa);
    engine.transport.sendIke(response, from, natT);
    LOG.log(System.Logger.Level.DEBUG, "{0}: IKE_SA_INIT answered from {1}, {2}", sa, from, suite);
  }

  private void reply(IkeHeader h, long spiR, List<IkePayload> payloads, InetSocketAddress to,
      boolean natT) {
    engine.sendUnprotected(
        IkeHeader.of(h.initiatorSpi(), spiR, 0, ExchangeType.IKE_SA_INIT, false, true,
            h.messageId()),
        payloads, to, natT);
  }

  /** SHA-1 hashes of the CAs' SubjectPublicKeyInfo, RFC 7296 §3.7. */
  static List<byte[]> keyHashes(List<X509Certificate> cas) {
    List<byte[]> hashes = new ArrayList<>();
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      for (X509Certificate ca : cas) {
        hashes.add(sha1.digest(ca.getPublicKey().getEncoded()));
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return hashes;
  }

  /** The groups we would accept, for logs. */
  static List<DhGroup> groups(Ikev2Policy policy) {
    return policy.ikeProposals().stream().flatMap(p -> p.dhGroups().stream()).distinct().toList();
  }
}
