package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One proposal of the gateway's crypto policy, parsed from strongSwan's proposal notation (the
 * notation of the gateway config, e.g. {@code aes256gcm16-prfsha384-ecp384} or {@code
 * aes256-sha256-modp2048}): for each transform type the algorithms it allows, preferred first.
 *
 * <p>As in strongSwan, an IKE proposal with a CBC cipher and no {@code prf} keyword uses the
 * integrity hashes as PRFs, an AEAD IKE proposal without one allows the SHA-2 PRFs, and an ESP
 * proposal's groups are only used for rekeying with perfect forward secrecy.
 *
 * <p>Selection ({@link #selectIke}, {@link #selectEsp}) follows RFC 7296 §2.7 and §3.3.6: the
 * peer's proposals are tried against ours in our order (the gateway's preference wins, as
 * strongSwan's default {@code prefer_configured_proposals}), and a proposal is acceptable when,
 * for each transform type, it offers one of our algorithms; a transform with an unknown attribute
 * is never chosen.
 */
public record ProposalPolicy(
    int protocolId,
    List<Transform> encryption,
    List<Transform> prf,
    List<Transform> integrity,
    List<Transform> groups) {

  public ProposalPolicy {
    encryption = List.copyOf(encryption);
    prf = List.copyOf(prf);
    integrity = List.copyOf(integrity);
    groups = List.copyOf(groups);
  }

  /** The result of a selection: the peer's proposal (its number and SPI) and what was chosen. */
  public record Chosen<S>(Proposal peerProposal, S suite) {}

  /** Parses an IKE proposal in strongSwan notation. */
  public static ProposalPolicy ike(String notation) {
    return parse(notation, Proposal.IKE);
  }

  /** Parses an ESP proposal in strongSwan notation. */
  public static ProposalPolicy esp(String notation) {
    return parse(notation, Proposal.ESP);
  }

  private static ProposalPolicy parse(String notation, int protocol) {
    List<Transform> encr = new ArrayList<>();
    List<Transform> prf = new ArrayList<>();
    List<Transform> integ = new ArrayList<>();
    List<Transform> dh = new ArrayList<>();
    for (String k : notation.toLowerCase(Locale.ROOT).trim().split("-")) {
      Transform t = keyword(k.trim());
      if (t == null) {
        if (k.equals("noesn")) {
          continue;
        }
        throw new IllegalArgumentException(
            "unsupported keyword '" + k + "' in proposal '" + notation + "'");
      }
      switch (t.type()) {
        case Transform.ENCR -> encr.add(t);
        case Transform.PRF -> {
          if (protocol != Proposal.IKE) {
            throw new IllegalArgumentException("a PRF in ESP proposal '" + notation + "'");
          }
          prf.add(t);
        }
        case Transform.INTEG -> integ.add(t);
        case Transform.DH -> dh.add(t);
        default -> throw new IllegalStateException();
      }
    }
    if (encr.isEmpty()) {
      throw new IllegalArgumentException("proposal '" + notation + "' names no cipher");
    }
    boolean aead = encr.stream().allMatch(t -> t.id() == Transform.ENCR_AES_GCM_16);
    boolean anyAead = encr.stream().anyMatch(t -> t.id() == Transform.ENCR_AES_GCM_16);
    if (aead != anyAead) {
      throw new IllegalArgumentException(
          "proposal '" + notation + "' mixes AEAD and non-AEAD ciphers");
    }
    if (!aead && integ.isEmpty()) {
      throw new IllegalArgumentException(
          "proposal '" + notation + "' has a CBC cipher without integrity");
    }
    if (aead && !integ.isEmpty()) {
      throw new IllegalArgumentException(
          "proposal '" + notation + "' has an AEAD cipher with an integrity algorithm");
    }
    if (protocol == Proposal.IKE) {
      if (prf.isEmpty()) {
        if (aead) {
          for (int id :
              new int[] {
                Transform.PRF_HMAC_SHA2_256, Transform.PRF_HMAC_SHA2_384, Transform.PRF_HMAC_SHA2_512
              }) {
            prf.add(new Transform(Transform.PRF, id));
          }
        } else {
          for (Transform t : integ) {
            prf.add(new Transform(Transform.PRF, prfForIntegrity(t.id())));
          }
        }
      }
      if (dh.isEmpty()) {
        throw new IllegalArgumentException("IKE proposal '" + notation + "' names no DH group");
      }
    }
    return new ProposalPolicy(protocol, encr, prf, integ, dh);
  }

  private static int prfForIntegrity(int integ) {
    return switch (integ) {
      case Transform.AUTH_HMAC_SHA1_96 -> Transform.PRF_HMAC_SHA1;
      case Transform.AUTH_HMAC_SHA2_256_128 -> Transform.PRF_HMAC_SHA2_256;
      case Transform.AUTH_HMAC_SHA2_384_192 -> Transform.PRF_HMAC_SHA2_384;
      default -> Transform.PRF_HMAC_SHA2_512;
    };
  }

  private static Transform keyword(String k) {
    return switch (k) {
      case "aes128", "aes128cbc" -> new Transform(Transform.ENCR, Transform.ENCR_AES_CBC, 128);
      case "aes192", "aes192cbc" -> new Transform(Transform.ENCR, Transform.ENCR_AES_CBC, 192);
      case "aes256", "aes256cbc" -> new Transform(Transform.ENCR, Transform.ENCR_AES_CBC, 256);
      case "aes128gcm16", "aes128gcm128", "aes128gcm" -> gcm(128);
      case "aes192gcm16", "aes192gcm128", "aes192gcm" -> gcm(192);
      case "aes256gcm16", "aes256gcm128", "aes256gcm" -> gcm(256);
      case "sha1", "sha" -> new Transform(Transform.INTEG, Transform.AUTH_HMAC_SHA1_96);
      case "sha256", "sha2_256" -> new Transform(Transform.INTEG, Transform.AUTH_HMAC_SHA2_256_128);
      case "sha384", "sha2_384" -> new Transform(Transform.INTEG, Transform.AUTH_HMAC_SHA2_384_192);
      case "sha512", "sha2_512" -> new Transform(Transform.INTEG, Transform.AUTH_HMAC_SHA2_512_256);
      case "prfsha1" -> new Transform(Transform.PRF, Transform.PRF_HMAC_SHA1);
      case "prfsha256" -> new Transform(Transform.PRF, Transform.PRF_HMAC_SHA2_256);
      case "prfsha384" -> new Transform(Transform.PRF, Transform.PRF_HMAC_SHA2_384);
      case "prfsha512" -> new Transform(Transform.PRF, Transform.PRF_HMAC_SHA2_512);
      case "modp1024" -> dh(DhGroup.MODP_1024);
      case "modp2048" -> dh(DhGroup.MODP_2048);
      case "modp2048s256" -> dh(DhGroup.MODP_2048_256);
      case "ecp256" -> dh(DhGroup.ECP_256);
      case "ecp384" -> dh(DhGroup.ECP_384);
      case "curve25519", "x25519" -> dh(DhGroup.CURVE_25519);
      default -> null;
    };
  }

  private static Transform gcm(int bits) {
    return new Transform(Transform.ENCR, Transform.ENCR_AES_GCM_16, bits);
  }

  private static Transform dh(DhGroup g) {
    return new Transform(Transform.DH, g.number());
  }

  /**
   * This policy as a proposal of ours (when we initiate a rekey), with every algorithm it allows;
   * ESP proposals say "no ESN". {@code withGroups} false leaves the groups out.
   */
  public Proposal toProposal(int number, byte[] spi, boolean withGroups) {
    List<Transform> ts = new ArrayList<>(encryption);
    ts.addAll(prf);
    ts.addAll(integrity);
    if (withGroups) {
      ts.addAll(groups);
    }
    if (protocolId == Proposal.ESP) {
      ts.add(new Transform(Transform.ESN, Transform.ESN_NO));
    }
    return new Proposal(number, protocolId, spi, ts);
  }

  /** The DH groups of this policy, preferred first (for INVALID_KE_PAYLOAD, RFC 7296 §1.2). */
  public List<DhGroup> dhGroups() {
    return groups.stream().map(t -> DhGroup.byNumber(t.id()).orElseThrow()).toList();
  }

  /**
   * Chooses an IKE suite among the peer's proposals, trying {@code policies} in order. A choice
   * whose group is {@code keGroup} (the group of the peer's KE payload) wins over one that would
   * need an INVALID_KE_PAYLOAD round trip (RFC 7296 §1.2).
   *
   * @return empty when no proposal is acceptable (NO_PROPOSAL_CHOSEN)
   */
  public static Optional<Chosen<IkeSuite>> selectIke(
      List<ProposalPolicy> policies, List<Proposal> offered, int keGroup) {
    for (boolean requireKeGroup : new boolean[] {true, false}) {
      for (ProposalPolicy policy : policies) {
        for (Proposal p : offered) {
          if (p.protocolId() != Proposal.IKE) {
            continue;
          }
          Optional<IkeSuite> suite = policy.matchIke(p, keGroup);
          if (suite.isPresent()
              && (!requireKeGroup || suite.get().group().number() == keGroup)) {
            return Optional.of(new Chosen<>(p, suite.get()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Chooses an ESP suite. With {@code withPfs} false (IKE_AUTH, RFC 7296 §1.2) groups on either
   * side are ignored; with it true (CREATE_CHILD_SA) the proposal must agree on a group, or on none.
   */
  public static Optional<Chosen<EspSuite>> selectEsp(
      List<ProposalPolicy> policies, List<Proposal> offered, boolean withPfs, int keGroup) {
    for (boolean requireKeGroup : new boolean[] {withPfs && keGroup > 0, false}) {
      for (ProposalPolicy policy : policies) {
        for (Proposal p : offered) {
          if (p.protocolId() != Proposal.ESP || p.spi().length != 4) {
            continue;
          }
          Optional<EspSuite> suite = policy.matchEsp(p, withPfs, keGroup);
          if (suite.isPresent()
              && (!requireKeGroup
                  || (suite.get().group() != null && suite.get().group().number() == keGroup))) {
            return Optional.of(new Chosen<>(p, suite.get()));
          }
        }
      }
    }
    return Optional.empty();
  }

  private Optional<IkeSuite> matchIke(Proposal p, int keGroup) {
    Optional<Transform> encr = pick(encryption, p.transformsOf(Transform.ENCR));
    Optional<Transform> prfChoice = pick(prf, p.transformsOf(Transform.PRF));
    Optional<Transform> dh =
        pick(groups.stream().filter(t -> t.id() == keGroup).toList(), p.transformsOf(Transform.DH))
            .or(() -> pick(groups, p.transformsOf(Transform.DH)));
    if (encr.isEmpty() || prfChoice.isEmpty() || dh.isEmpty()) {
      return Optional.empty();
    }
    EncryptionAlgorithm e = EncryptionAlgorithm.byTransformId(encr.get().id()).orElseThrow();
    IntegrityAlgorithm integ = null;
    if (e.isAead()) {
      if (!onlyNoneIntegrity(p)) {
        return Optional.empty();
      }
    } else {
      Optional<Transform> i = pick(integrity, p.transformsOf(Transform.INTEG));
      if (i.isEmpty()) {
        return Optional.empty();
      }
      integ = IntegrityAlgorithm.byTransformId(i.get().id()).orElseThrow();
    }
    return Optional.of(
        new IkeSuite(
            e,
            encr.get().keyLength(),
            PrfAlgorithm.byTransformId(prfChoice.get().id()).orElseThrow(),
            integ,
            DhGroup.byNumber(dh.get().id()).orElseThrow()));
  }

  private Optional<EspSuite> matchEsp(Proposal p, boolean withPfs, int keGroup) {
    Optional<Transform> encr = pick(encryption, p.transformsOf(Transform.ENCR));
    if (encr.isEmpty()) {
      return Optional.empty();
    }
    EncryptionAlgorithm e = EncryptionAlgorithm.byTransformId(encr.get().id()).orElseThrow();
    IntegrityAlgorithm integ = null;
    if (e.isAead()) {
      if (!onlyNoneIntegrity(p)) {
        return Optional.empty();
      }
    } else {
      Optional<Transform> i = pick(integrity, p.transformsOf(Transform.INTEG));
      if (i.isEmpty()) {
        return Optional.empty();
      }
      integ = IntegrityAlgorithm.byTransformId(i.get().id()).orElseThrow();
    }
    // without ESN only (RFC 4303 §2.2.1): absent ESN transforms mean "no" as well
    List<Transform> esn = p.transformsOf(Transform.ESN);
    if (!esn.isEmpty()
        && esn.stream().noneMatch(t -> t.id() == Transform.ESN_NO && !t.unknownAttributes())) {
      return Optional.empty();
    }
    DhGroup group = null;
    if (withPfs) {
      List<Transform> offeredDh = p.transformsOf(Transform.DH);
      boolean peerAllowsNone = offeredDh.isEmpty() || offeredDh.stream().anyMatch(t -> t.id() == 0);
      Optional<Transform> dh =
          pick(groups.stream().filter(t -> t.id() == keGroup).toList(), offeredDh)
              .or(() -> pick(groups, offeredDh));
      if (dh.isPresent()) {
        group = DhGroup.byNumber(dh.get().id()).orElseThrow();
      } else if (!(groups.isEmpty() && peerAllowsNone)) {
        return Optional.empty();
      }
    }
    return Optional.of(new EspSuite(e, encr.get().keyLength(), integ, group));
  }

  /** AEAD proposals may carry no integrity transform or only NONE (RFC 7296 §3.3.3). */
  private static boolean onlyNoneIntegrity(Proposal p) {
    return p.transformsOf(Transform.INTEG).stream().allMatch(t -> t.id() == Transform.AUTH_NONE);
  }

  /** Our first algorithm that the peer offers (same ID and key length), if any. */
  private static Optional<Transform> pick(List<Transform> ours, List<Transform> theirs) {
    for (Transform mine : ours) {
      for (Transform t : theirs) {
        if (!t.unknownAttributes() && mine.sameAlgorithm(t)) {
          return Optional.of(mine);
        }
      }
    }
    return Optional.empty();
  }
}
