package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.crypto.IkeSaKeys;
import io.vpngateway.gateway.ikev2.crypto.IkeSuite;
import io.vpngateway.gateway.ikev2.crypto.KeyExchange;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.exception.NoProposalChosenException;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.KePayload;
import io.vpngateway.gateway.ikev2.message.NoncePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import io.vpngateway.gateway.ikev2.message.TsPayload;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The responder side of CREATE_CHILD_SA, RFC 7296 §1.3:
 *
 * <pre>
 *   rekey CHILD_SA (§1.3.3):  SK {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} --&gt;
 *                             &lt;-- SK {SA, Nr, [KEr], TSi, TSr}
 *   rekey IKE SA (§1.3.2):    SK {SA, Ni, KEi} --&gt;  &lt;-- SK {SA, Nr, KEr}
 *   new CHILD_SA (§1.3.1):    as a rekey without REKEY_SA; accepted only while the IKE SA has
 *                             no CHILD_SA left (one tunnel per client), else NO_ADDITIONAL_SAS
 * </pre>
 *
 * A rekeyed CHILD_SA is installed at once for receiving; we keep sending on the old one until the
 * client sends on the new one or deletes the old one, so no packet is sent on an SA the client has
 * not installed yet (no loss across the rekey). A rekeyed IKE SA takes the session and its
 * CHILD_SAs over; the old one waits for the client's Delete (§2.18). While one of our own
 * CREATE_CHILD_SA requests is outstanding a colliding request gets TEMPORARY_FAILURE (§2.25), and
 * the client retries.
 */
final class CreateChildSaResponder {
  private static final System.Logger LOG = System.getLogger(CreateChildSaResponder.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IkeEngine engine;

  CreateChildSaResponder(IkeEngine engine) {
    this.engine = engine;
  }

  Reply handle(IkeSa sa, IkeMessage request, long now) throws IkeProtocolException {
    if (sa.state != IkeSa.State.ESTABLISHED) {
      throw new IkeProtocolException(NotifyType.TEMPORARY_FAILURE, "IKE SA is being replaced");
    }
    if (sa.rekeyInProgress) {
      throw new IkeProtocolException(
          NotifyType.TEMPORARY_FAILURE, "our own rekey of this SA is in progress");
    }
    SaPayload saPayload =
        request.first(SaPayload.class).orElseThrow(() -> new InvalidSyntaxException("no SA"));
    byte[] ni =
        request.first(NoncePayload.class)
            .orElseThrow(() -> new InvalidSyntaxException("no nonce"))
            .nonce();
    Optional<KePayload> ke = request.first(KePayload.class);
    boolean ike = saPayload.proposals().stream().anyMatch(p -> p.protocolId() == Proposal.IKE);
    if (ike) {
      return rekeyIke(sa, saPayload, ni, ke, now);
    }
    Optional<NotifyPayload> rekey =
        request.notifies(NotifyType.REKEY_SA).stream()
            .filter(n -> n.protocolId() == Proposal.ESP && n.spi().length == 4)
            .findFirst();
    ChildSa old = null;
    if (rekey.isPresent()) {
      int spi = ByteBuffer.wrap(rekey.get().spi()).getInt();
      old =
          sa.children.stream()
              .filter(c -> !c.rekeyed && (c.outboundSpi() == spi || c.inboundSpi() == spi))
              .findFirst()
              .orElseThrow(
                  () -> new IkeProtocolException(
                      NotifyType.CHILD_SA_NOT_FOUND,
                      rekey.get().spi(),
                      String.format("no CHILD_SA with SPI %08x to rekey", spi)));
    } else if (sa.children.stream().anyMatch(c -> !c.rekeyed)) {
      throw new IkeProtocolException(
          NotifyType.NO_ADDITIONAL_SAS, "one CHILD_SA per client; it already has one");
    }
    return childSa(sa, request, saPayload, ni, ke, old, now);
  }

  private Reply childSa(
      IkeSa sa, IkeMessage request, SaPayload saPayload, byte[] ni, Optional<KePayload> ke,
      ChildSa old, long now) throws IkeProtocolException {
    Ikev2Policy policy = engine.policy;
    TsPayload tsi = request.ts(true).orElseThrow(() -> new InvalidSyntaxException("no TSi"));
    TsPayload tsr = request.ts(false).orElseThrow(() -> new InvalidSyntaxException("no TSr"));
    ProposalPolicy.Chosen<EspSuite> chosen =
        ProposalPolicy.selectEsp(
                policy.espProposals(), saPayload.proposals(), true,
                ke.map(KePayload::group).orElse(-1))
            .orElseThrow(() -> new NoProposalChosenException("no acceptable ESP proposal"));
    EspSuite suite = chosen.suite();
    byte[] shared = null;
    KeyExchange dh = null;
    if (suite.group() != null) {
      if (ke.isEmpty() || ke.get().group() != suite.group().number()) {
        throw new InvalidKePayloadException(suite.group().number(),
            "CHILD_SA with PFS group " + suite.group() + " needs a KE payload of that group");
      }
      dh = suite.group().newKeyExchange();
      shared = dh.sharedSecret(ke.get().data());
    }
    long address =
        Integer.toUnsignedLong(ByteBuffer.wrap(sa.session.innerAddress().getAddress()).getInt());
    List<TrafficSelector> remote = TrafficSelectorNarrowing.toAddress(tsi.selectors(), address);
    List<TrafficSelector> local =
        TrafficSelectorNarrowing.toAllowed(
            tsr.selectors(), policy.allowedRanges());
    byte[] nr = nonce();
    int ourSpi = engine.childSas.allocateSpi();
    ChildSa child =
        ChildSaBuilder.install(
            engine, sa, suite, ourSpi, (int) chosen.peerProposal().spiValue(), shared, ni, nr,
            false, local, remote, now);
    if (shared != null) {
      Arrays.fill(shared, (byte) 0);
    }
    if (old == null) {
      sa.session.useForSending(child);
    } else {
      child.promoteOnTraffic = true;
      engine.stats.childRekeys.increment();
    }
    List<IkePayload> answer = new ArrayList<>();
    answer.add(new SaPayload(List.of(suite.toProposal(chosen.peerProposal().number(), ourSpi))));
    answer.add(new NoncePayload(nr));
    if (dh != null) {
      answer.add(new KePayload(suite.group().number(), dh.publicValue()));
    }
    answer.add(new TsPayload(true, remote));
    answer.add(new TsPayload(false, local));
    LOG.log(System.Logger.Level.INFO, "{0}: {1} {2}", sa.session.id(),
        old == null ? "client created" : "client rekeyed " + old + " to", child);
    return Reply.of(answer);
  }

  private Reply rekeyIke(
      IkeSa sa, SaPayload saPayload, byte[] ni, Optional<KePayload> ke, long now)
      throws IkeProtocolException {
    if (ke.isEmpty()) {
      throw new InvalidSyntaxException("IKE SA rekey without KE");
    }
    List<Proposal> offered =
        saPayload.proposals().stream()
            .filter(p -> p.protocolId() == Proposal.IKE && p.spi().length == 8)
            .toList();
    ProposalPolicy.Chosen<IkeSuite> chosen =
        ProposalPolicy.selectIke(engine.policy.ikeProposals(), offered, ke.get().group())
            .orElseThrow(() -> new NoProposalChosenException("no acceptable IKE proposal"));
    IkeSuite suite = chosen.suite();
    if (ke.get().group() != suite.group().number()) {
      throw new InvalidKePayloadException(suite.group().number(),
          "IKE rekey KE for group " + ke.get().group() + ", we chose " + suite.group());
    }
    KeyExchange dh = suite.group().newKeyExchange();
    byte[] shared = dh.sharedSecret(ke.get().data());
    byte[] nr = nonce();
    long spiI = chosen.peerProposal().spiValue();
    long spiR = engine.newSpi();
    // RFC 7296 §2.18: SKEYSEED with the old SA's PRF and SK_d, prf+ with the new suite's
    byte[] skeyseed = IkeSaKeys.rekeySkeyseed(sa.suite.prf(), sa.keys.skD(), shared, ni, nr);
    Arrays.fill(shared, (byte) 0);
    IkeSaKeys keys = IkeSaKeys.derive(suite, skeyseed, ni, nr, spiI, spiR);
    IkeSa next = new IkeSa(spiI, spiR, false, suite, keys, sa.peer, sa.natT, now);
    OwnExchanges.succeed(sa, next, engine, now);
    List<IkePayload> answer = new ArrayList<>();
    byte[] spi = ByteBuffer.allocate(8).putLong(spiR).array();
    answer.add(new SaPayload(List.of(suite.toProposal(chosen.peerProposal().number(), spi))));
    answer.add(new NoncePayload(nr));
    answer.add(new KePayload(suite.group().number(), dh.publicValue()));
    engine.stats.ikeRekeys.increment();
    LOG.log(System.Logger.Level.INFO, "{0}: client rekeyed {1} to {2}, {3}",
        next.session == null ? "-" : next.session.id(), sa, next, suite);
    return Reply.of(answer);
  }

  static byte[] nonce() {
    byte[] n = new byte[IkeSaInitResponder.NONCE_LENGTH];
    RANDOM.nextBytes(n);
    return n;
  }
}
