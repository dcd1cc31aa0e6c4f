package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.crypto.IkeSaKeys;
import io.vpngateway.gateway.ikev2.crypto.IkeSuite;
import io.vpngateway.gateway.ikev2.crypto.KeyExchange;
import io.vpngateway.gateway.ikev2.crypto.ProposalPolicy;
import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;
import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.KePayload;
import io.vpngateway.gateway.ikev2.message.NoncePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.ikev2.message.TsPayload;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The exchanges the gateway starts itself in an established IKE SA, driven by the engine's timer:
 *
 * <ul>
 *   <li>liveness check (DPD, RFC 7296 §2.4): an empty INFORMATIONAL after {@code dpdDelay}
 *       without anything from the client; no answer within {@code dpdTimeout} ends the session;
 *   <li>CHILD_SA rekey (§1.3.3, §2.8) at the CHILD_SA's lifetime or byte limit: the new SA is
 *       used for sending as soon as the client answered (it has installed it), the old one is
 *       deleted afterwards and keeps receiving until then;
 *   <li>IKE SA rekey (§1.3.2, §2.18): the new SA takes the session and its CHILD_SAs over, the
 *       old one is deleted;
 *   <li>Delete of the IKE SA (§1.4.1) on revocation, disconnect or shutdown.
 * </ul>
 *
 * An INVALID_KE_PAYLOAD answer is retried once with the group the client asked for; other refusals
 * (TEMPORARY_FAILURE during a collision, NO_PROPOSAL_CHOSEN) retry later.
 */
final class OwnExchanges {
  private static final System.Logger LOG = System.getLogger(OwnExchanges.class.getName());
  static final long RETRY_NANOS = 30_000_000_000L;
  /** How often a CHILD_SA's byte count is compared with the byte limit (when one is set). */
  static final long BYTES_CHECK_NANOS = 1_000_000_000L;

  private final IkeEngine engine;

  OwnExchanges(IkeEngine engine) {
    this.engine = engine;
  }

  /** Starts whatever exchange is due in {@code sa} (at most one at a time). */
  void timers(IkeSa sa, long now) {
    if (sa.pending != null || sa.rekeyInProgress) {
      return;
    }
    Ikev2Policy p = engine.policy;
    if (now - sa.rekeyAtNanos >= 0) {
      rekeyIke(sa, sa.suite.group());
      return;
    }
    List<ChildSa> live = sa.children.stream().filter(c -> !c.rekeyed).toList();
    if (live.size() == 1) {
      ChildSa c = live.get(0);
      long lifetime = p.childLifetime().toNanos();
      boolean byTime = now - c.createdNanos() >= lifetime && now - c.createdNanos() >= 0;
      boolean byBytes = p.childLifetimeBytes() > 0 && c.bytes() >= p.childLifetimeBytes();
      boolean retryWait = c.rekeyRetryAtNanos != 0 && now - c.rekeyRetryAtNanos < 0;
      if ((byTime || byBytes) && !retryWait) {
        rekeyChild(sa, c, null);
        return;
      }
    }
    Ikev2Session session = sa.session;
    long last = Math.max(sa.lastInboundNanos, session == null ? 0 : session.lastInboundNanos);
    if (now - last >= p.dpdDelay().toNanos()) {
      engine.request(sa, ExchangeType.INFORMATIONAL, List.of(), new Dpd());
    }
  }

  /**
   * When {@link #timers} next has something to do in {@code sa}, or {@link ControlLoop#NEVER}:
   * the same conditions, as a time. A byte limit cannot be foreseen: it is looked at every {@link
   * #BYTES_CHECK_NANOS} while configured.
   */
  long nextDueNanos(IkeSa sa, long now) {
    if (sa.pending != null || sa.rekeyInProgress) {
      return ControlLoop.NEVER; // the pending request's own timers are the engine's
    }
    Ikev2Policy p = engine.policy;
    long due = sa.rekeyAtNanos;
    ChildSa only = null;
    int live = 0;
    for (ChildSa c : sa.children) {
      if (!c.rekeyed) {
        only = c;
        live++;
      }
    }
    if (live == 1) {
      long at = only.createdNanos() + p.childLifetime().toNanos();
      if (only.rekeyRetryAtNanos != 0 && only.rekeyRetryAtNanos - at > 0) {
        at = only.rekeyRetryAtNanos;
      }
      due = ControlLoop.earliest(due, at);
      if (p.childLifetimeBytes() > 0) {
        due = ControlLoop.earliest(due, now + BYTES_CHECK_NANOS);
      }
    }
    Ikev2Session session = sa.session;
    long last = Math.max(sa.lastInboundNanos, session == null ? 0 : session.lastInboundNanos);
    return ControlLoop.earliest(due, last + p.dpdDelay().toNanos());
  }

  private final class Dpd implements IkeSa.ResponseHandler {
    @Override
    public void onResponse(IkeSa sa, IkeMessage response) {
      // the answer itself refreshed lastInboundNanos
    }

    @Override
    public void onTimeout(IkeSa sa) {
      engine.stats.dpdDead.increment();
      LOG.log(System.Logger.Level.INFO, "{0}: the client stopped answering (DPD)", sa);
      engine.terminate(sa, "dead peer: no answer to liveness checks", false);
    }
  }

  // ------------------------------------------------------------------ delete

  /** Sends Delete(IKE) and forgets the SA on the answer (or when none comes). */
  void deleteIkeSa(IkeSa sa) {
    sa.state = IkeSa.State.DELETING;
    engine.request(
        sa,
        ExchangeType.INFORMATIONAL,
        List.of(DeletePayload.ikeSa()),
        new IkeSa.ResponseHandler() {
          @Override
          public void onResponse(IkeSa s, IkeMessage response) {
            engine.forget(s);
          }

          @Override
          public void onTimeout(IkeSa s) {
            engine.forget(s);
          }
        });
  }

  // ------------------------------------------------------------------ CHILD_SA rekey

  private void rekeyChild(IkeSa sa, ChildSa old, DhGroup forcedGroup) {
    Ikev2Policy p = engine.policy;
    int spi = engine.childSas.allocateSpi();
    byte[] spiBytes = ByteBuffer.allocate(4).putInt(spi).array();
    List<ProposalPolicy> ordered = preferMatching(p.espProposals(), old.suite());
    DhGroup group = forcedGroup;
    if (group == null && !ordered.get(0).groups().isEmpty()) {
      group = ordered.get(0).dhGroups().get(0);
    }
    List<Proposal> proposals = new ArrayList<>();
    for (ProposalPolicy pp : ordered) {
      proposals.add(pp.toProposal(proposals.size() + 1, spiBytes, true));
    }
    byte[] ni = CreateChildSaResponder.nonce();
    KeyExchange dh = group == null ? null : group.newKeyExchange();
    List<IkePayload> payloads = new ArrayList<>();
    payloads.add(
        new NotifyPayload(
            Proposal.ESP, ByteBuffer.allocate(4).putInt(old.inboundSpi()).array(),
            NotifyType.REKEY_SA, new byte[0]));
    payloads.add(new SaPayload(proposals));
    payloads.add(new NoncePayload(ni));
    if (dh != null) {
      payloads.add(new KePayload(group.number(), dh.publicValue()));
    }
    payloads.add(new TsPayload(true, old.localSelectors()));
    payloads.add(new TsPayload(false, old.remoteSelectors()));
    sa.rekeyInProgress = true;
    final boolean retried = forcedGroup != null;
    engine.request(
        sa,
        ExchangeType.CREATE_CHILD_SA,
        payloads,
        new IkeSa.ResponseHandler() {
          @Override
          public void onResponse(IkeSa s, IkeMessage response) {
            s.rekeyInProgress = false;
            childRekeyAnswered(s, old, spi, ni, dh, response, retried);
          }

          @Override
          public void onTimeout(IkeSa s) {
            s.rekeyInProgress = false;
            engine.childSas.release(spi);
            engine.terminate(s, "no answer to our CHILD_SA rekey", false);
          }
        });
  }

  private void childRekeyAnswered(
      IkeSa sa, ChildSa old, int spi, byte[] ni, KeyExchange dh, IkeMessage response,
      boolean retried) {
    long now = System.nanoTime();
    Optional<NotifyPayload> error = response.firstError();
    Optional<SaPayload> saPayload = response.first(SaPayload.class);
    Optional<NoncePayload> nr = response.first(NoncePayload.class);
    Optional<DhGroup> wanted = wantedGroup(error);
    if (error.isPresent() || saPayload.isEmpty() || nr.isEmpty()) {
      engine.childSas.release(spi);
      if (wanted.isPresent() && !retried && sa.state == IkeSa.State.ESTABLISHED) {
        rekeyChild(sa, old, wanted.get());
        return;
      }
      old.rekeyRetryAtNanos = now + RETRY_NANOS;
      LOG.log(System.Logger.Level.INFO, "{0}: CHILD_SA rekey refused ({1}), retrying later", sa,
          error.map(e -> NotifyType.name(e.notifyType())).orElse("incomplete answer"));
      return;
    }
    Optional<ProposalPolicy.Chosen<EspSuite>> chosen =
        ProposalPolicy.selectEsp(
            engine.policy.espProposals(), saPayload.get().proposals(), true,
            dh == null ? -1 : dh.group().number());
    if (chosen.isEmpty() || saPayload.get().proposals().size() != 1) {
      engine.childSas.release(spi);
      engine.terminate(sa, "the client answered our CHILD_SA rekey with a proposal we did not make",
          true);
      return;
    }
    EspSuite suite = chosen.get().suite();
    byte[] shared = null;
    try {
      if (suite.group() != null) {
        Optional<KePayload> ke = response.first(KePayload.class);
        if (dh == null || ke.isEmpty() || suite.group() != dh.group()) {
          throw new InvalidKePayloadException(suite.group().number(), "no matching KEr");
        }
        shared = dh.sharedSecret(ke.get().data());
      }
    } catch (InvalidKePayloadException e) {
      engine.childSas.release(spi);
      engine.terminate(sa, "bad KE in the client's CHILD_SA rekey answer", true);
      return;
    }
    ChildSa child =
        ChildSaBuilder.install(
            engine, sa, suite, spi, (int) chosen.get().peerProposal().spiValue(), shared, ni,
            nr.get().nonce(), true, old.localSelectors(), old.remoteSelectors(), now);
    if (shared != null) {
      Arrays.fill(shared, (byte) 0);
    }
    // the client answered, so its inbound SA exists: send on the new one from now on
    old.rekeyed = true;
    if (sa.session != null) {
      sa.session.useForSending(child);
    }
    engine.stats.childRekeys.increment();
    LOG.log(System.Logger.Level.INFO, "{0}: gateway rekeyed {1} to {2}",
        sa.session == null ? sa : sa.session.id(), old, child);
    engine.request(
        sa,
        ExchangeType.INFORMATIONAL,
        List.of(DeletePayload.esp(List.of(old.inboundSpi()))),
        new IkeSa.ResponseHandler() {
          @Override
          public void onResponse(IkeSa s, IkeMessage r) {
            InformationalResponder.removeChild(engine, s, old, System.nanoTime());
          }

          @Override
          public void onTimeout(IkeSa s) {
            engine.terminate(s, "no answer to the Delete of a rekeyed CHILD_SA", false);
          }
        });
  }

  private static Optional<DhGroup> wantedGroup(Optional<NotifyPayload> error) {
    return error
        .filter(e -> e.notifyType() == NotifyType.INVALID_KE_PAYLOAD && e.data().length == 2)
        .flatMap(e -> DhGroup.byNumber(((e.data()[0] & 0xff) << 8) | (e.data()[1] & 0xff)));
  }

  /** Our proposals with the one that matches {@code current} first, so the rekey keeps it. */
  private static List<ProposalPolicy> preferMatching(List<ProposalPolicy> all, EspSuite current) {
    List<ProposalPolicy> first = new ArrayList<>();
    List<ProposalPolicy> rest = new ArrayList<>();
    for (ProposalPolicy pp : all) {
      boolean same =
          pp.encryption().stream()
              .anyMatch(t -> t.id() == current.encryption().transformId()
                  && t.keyLength() == current.keyBits());
      (same ? first : rest).add(pp);
    }
    first.addAll(rest);
    return first;
  }

  // ------------------------------------------------------------------ IKE SA rekey

  private void rekeyIke(IkeSa sa, DhGroup group) {
    Ikev2Policy p = engine.policy;
    long newSpi = engine.newSpi();
    byte[] spiBytes = ByteBuffer.allocate(8).putLong(newSpi).array();
    List<Proposal> proposals = new ArrayList<>();
    for (ProposalPolicy pp : p.ikeProposals()) {
      proposals.add(pp.toProposal(proposals.size() + 1, spiBytes, true));
    }
    byte[] ni = CreateChildSaResponder.nonce();
    KeyExchange dh = group.newKeyExchange();
    List<IkePayload> payloads =
        List.of(
            new SaPayload(proposals),
            new NoncePayload(ni),
            new KePayload(group.number(), dh.publicValue()));
    sa.rekeyInProgress = true;
    boolean retried = group != sa.suite.group();
    engine.request(
        sa,
        ExchangeType.CREATE_CHILD_SA,
        payloads,
        new IkeSa.ResponseHandler() {
          @Override
          public void onResponse(IkeSa s, IkeMessage response) {
            s.rekeyInProgress = false;
            ikeRekeyAnswered(s, newSpi, ni, dh, response, retried);
          }

          @Override
          public void onTimeout(IkeSa s) {
            s.rekeyInProgress = false;
            engine.terminate(s, "no answer to our IKE SA rekey", false);
          }
        });
  }

  private void ikeRekeyAnswered(
      IkeSa sa, long spiI, byte[] ni, KeyExchange dh, IkeMessage response, boolean retried) {
    long now = System.nanoTime();
    Optional<NotifyPayload> error = response.firstError();
    Optional<SaPayload> saPayload = response.first(SaPayload.class);
    Optional<NoncePayload> nr = response.first(NoncePayload.class);
    Optional<KePayload> ke = response.first(KePayload.class);
    Optional<DhGroup> wanted = wantedGroup(error);
    if (error.isPresent() || saPayload.isEmpty() || nr.isEmpty() || ke.isEmpty()) {
      if (wanted.isPresent() && !retried && sa.state == IkeSa.State.ESTABLISHED) {
        rekeyIke(sa, wanted.get());
        return;
      }
      sa.rekeyAtNanos = now + RETRY_NANOS;
      LOG.log(System.Logger.Level.INFO, "{0}: IKE SA rekey refused ({1}), retrying later", sa,
          error.map(e -> NotifyType.name(e.notifyType())).orElse("incomplete answer"));
      return;
    }
    List<Proposal> answered = saPayload.get().proposals();
    Optional<ProposalPolicy.Chosen<IkeSuite>> chosen =
        ProposalPolicy.selectIke(engine.policy.ikeProposals(), answered, dh.group().number());
    if (chosen.isEmpty() || answered.size() != 1 || answered.get(0).spi().length != 8
        || chosen.get().suite().group() != dh.group()) {
      engine.terminate(sa, "the client answered our IKE rekey with a proposal we did not make",
          true);
      return;
    }
    IkeSuite suite = chosen.get().suite();
    byte[] shared;
    try {
      shared = dh.sharedSecret(ke.get().data());
    } catch (InvalidKePayloadException e) {
      engine.terminate(sa, "bad KE in the client's IKE rekey answer", true);
      return;
    }
    long spiR = answered.get(0).spiValue();
    byte[] skeyseed =
        IkeSaKeys.rekeySkeyseed(sa.suite.prf(), sa.keys.skD(), shared, ni, nr.get().nonce());
    Arrays.fill(shared, (byte) 0);
    IkeSaKeys keys = IkeSaKeys.derive(suite, skeyseed, ni, nr.get().nonce(), spiI, spiR);
    IkeSa next = new IkeSa(spiI, spiR, true, suite, keys, sa.peer, sa.natT, now);
    succeed(sa, next, engine, now);
    engine.stats.ikeRekeys.increment();
    LOG.log(System.Logger.Level.INFO, "{0}: gateway rekeyed {1} to {2}, {3}",
        next.session == null ? "-" : next.session.id(), sa, next, suite);
    engine.request(
        sa,
        ExchangeType.INFORMATIONAL,
        List.of(DeletePayload.ikeSa()),
        new IkeSa.ResponseHandler() {
          @Override
          public void onResponse(IkeSa s, IkeMessage r) {
            engine.forget(s);
          }

          @Override
          public void onTimeout(IkeSa s) {
            engine.forget(s);
          }
        });
  }

  /** {@code next} takes over the session and CHILD_SAs of {@code old} (RFC 7296 §2.18). */
  static void succeed(IkeSa old, IkeSa next, IkeEngine engine, long now) {
    next.state = IkeSa.State.ESTABLISHED;
    next.fragmentation = old.fragmentation;
    next.peerSignatureHashes = old.peerSignatureHashes;
    next.session = old.session;
    next.children.addAll(old.children);
    old.children.clear();
    if (next.session != null) {
      next.session.ikeSa = next;
    }
    next.rekeyAtNanos = now + IkeAuthResponder.jittered(engine.policy.ikeLifetime().toNanos());
    old.state = IkeSa.State.REKEYED;
    old.successor = next;
    old.session = null;
    old.lastInboundNanos = now;
    engine.add(next);
  }
}
