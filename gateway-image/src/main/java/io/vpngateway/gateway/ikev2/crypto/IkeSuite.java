package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.ArrayList;
import java.util.List;

/**
 * The transforms negotiated for an IKE SA (RFC 7296 §3.3): one of each type. {@code integrity} is
 * null for an AEAD cipher (RFC 5282 §8).
 */
public record IkeSuite(
    EncryptionAlgorithm encryption,
    int keyBits,
    PrfAlgorithm prf,
    IntegrityAlgorithm integrity,
    DhGroup group) {

  /** The chosen transforms as a one-proposal answer, numbered as the peer's accepted proposal. */
  public Proposal toProposal(int number, byte[] spi) {
    List<Transform> ts = new ArrayList<>();
    ts.add(new Transform(Transform.ENCR, encryption.transformId(), keyBits));
    ts.add(new Transform(Transform.PRF, prf.transformId()));
    if (integrity != null) {
      ts.add(new Transform(Transform.INTEG, integrity.transformId()));
    }
    ts.add(new Transform(Transform.DH, group.number()));
    return new Proposal(number, Proposal.IKE, spi, ts);
  }

  /** strongSwan's way of naming a suite, e.g. {@code AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256}. */
  @Override
  public String toString() {
    return encryption.name()
        + "_"
        + keyBits
        + (integrity == null ? "" : "/" + integrity.name())
        + "/PRF_"
        + prf.name()
        + "/"
        + group.name();
  }
}
