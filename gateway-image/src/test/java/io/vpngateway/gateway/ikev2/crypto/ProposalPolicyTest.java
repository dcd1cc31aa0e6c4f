package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing the config's strongSwan notation and choosing among a peer's proposals (§2.7). */
class ProposalPolicyTest {
  private static Proposal ike(int n, Transform... ts) {
    return new Proposal(n, Proposal.IKE, new byte[0], List.of(ts));
  }

  private static Proposal esp(int n, Transform... ts) {
    return new Proposal(n, Proposal.ESP, new byte[] {1, 2, 3, 4}, List.of(ts));
  }

  private static final Transform GCM256 = new Transform(Transform.ENCR, 20, 256);
  private static final Transform CBC256 = new Transform(Transform.ENCR, 12, 256);
  private static final Transform PRF384 = new Transform(Transform.PRF, 6);
  private static final Transform PRF256 = new Transform(Transform.PRF, 5);
  private static final Transform SHA256 = new Transform(Transform.INTEG, 12);
  private static final Transform ECP384 = new Transform(Transform.DH, 20);
  private static final Transform ECP256 = new Transform(Transform.DH, 19);
  private static final Transform MODP2048 = new Transform(Transform.DH, 14);

  @Test
  void notation() {
    ProposalPolicy gcm = ProposalPolicy.ike("aes256gcm16-prfsha384-ecp384");
    assertEquals(List.of(GCM256), gcm.encryption());
    assertEquals(List.of(PRF384), gcm.prf());
    assertTrue(gcm.integrity().isEmpty());
    ProposalPolicy cbc = ProposalPolicy.ike("aes256-sha256-modp2048");
    assertEquals(List.of(PRF256), cbc.prf(), "PRF from the integrity hash, as strongSwan");
    ProposalPolicy espPfs = ProposalPolicy.esp("aes256-sha1-modp2048s256");
    assertEquals(List.of(new Transform(Transform.INTEG, 2)), espPfs.integrity());
    assertEquals(List.of(DhGroup.MODP_2048_256), espPfs.dhGroups());
    assertThrows(IllegalArgumentException.class, () -> ProposalPolicy.ike("aes256-sha256"));
    assertThrows(IllegalArgumentException.class, () -> ProposalPolicy.ike("3des-md5-modp1024"));
    assertThrows(IllegalArgumentException.class, () -> ProposalPolicy.esp("aes256"));
    assertThrows(IllegalArgumentException.class, () -> ProposalPolicy.esp("aes256gcm16-sha256"));
  }

  @Test
  void ourPreferenceWinsAndTheAcceptedNumberIsTheirs() {
    List<ProposalPolicy> ours =
        List.of(ProposalPolicy.ike("aes256gcm16-prfsha384-ecp384"),
            ProposalPolicy.ike("aes256-sha256-modp2048"));
    List<Proposal> theirs =
        List.of(ike(1, CBC256, SHA256, PRF256, MODP2048), ike(2, GCM256, PRF384, ECP384));
    var chosen = ProposalPolicy.selectIke(ours, theirs, 20).orElseThrow();
    assertEquals(2, chosen.peerProposal().number());
    assertEquals(EncryptionAlgorithm.AES_GCM_16, chosen.suite().encryption());
    assertNull(chosen.suite().integrity());
  }

  @Test
  void theKeGroupOfThePeerIsPreferredToAvoidARoundTrip() {
    List<ProposalPolicy> ours = List.of(ProposalPolicy.ike("aes256gcm16-prfsha384-ecp384-ecp256"));
    List<Proposal> theirs = List.of(ike(1, GCM256, PRF384, ECP384, ECP256));
    assertEquals(DhGroup.ECP_256,
        ProposalPolicy.selectIke(ours, theirs, 19).orElseThrow().suite().group());
    assertEquals(DhGroup.ECP_384,
        ProposalPolicy.selectIke(ours, theirs, 14).orElseThrow().suite().group(),
        "our preference when the KE group is not acceptable (INVALID_KE_PAYLOAD follows)");
  }

  @Test
  void nothingInCommonIsEmpty() {
    assertTrue(ProposalPolicy.selectIke(List.of(ProposalPolicy.ike("aes256gcm16-prfsha384-ecp384")),
        List.of(ike(1, CBC256, SHA256, PRF256, ECP384)), 20).isEmpty());
    Transform odd = new Transform(Transform.ENCR, 20, 256, true);
    assertTrue(ProposalPolicy.selectIke(List.of(ProposalPolicy.ike("aes256gcm16-prfsha384-ecp384")),
        List.of(ike(1, odd, PRF384, ECP384)), 20).isEmpty(), "unknown attribute: not acceptable");
  }

  @Test
  void espGroupsCountOnlyWithPfs() {
    List<ProposalPolicy> ours =
        List.of(ProposalPolicy.esp("aes256gcm16-ecp256"), ProposalPolicy.esp("aes256gcm16"));
    Proposal noPfs = esp(1, GCM256, new Transform(Transform.ESN, 0));
    Proposal pfs = esp(1, GCM256, ECP256, new Transform(Transform.ESN, 0));
    // IKE_AUTH: groups ignored
    assertNull(ProposalPolicy.selectEsp(ours, List.of(pfs), false, -1).orElseThrow().suite()
        .group());
    // CREATE_CHILD_SA: with KE the group is used, without it the no-PFS proposal matches
    assertEquals(DhGroup.ECP_256,
        ProposalPolicy.selectEsp(ours, List.of(pfs), true, 19).orElseThrow().suite().group());
    assertNull(ProposalPolicy.selectEsp(ours, List.of(noPfs), true, -1).orElseThrow().suite()
        .group());
    // only ESN offered: refused
    Proposal esnOnly = esp(1, GCM256, new Transform(Transform.ESN, 1));
    assertTrue(ProposalPolicy.selectEsp(ours, List.of(esnOnly), false, -1).isEmpty());
  }
}
