package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.Transform;
import java.util.ArrayList;
import java.util.List;

/**
 * The transforms negotiated for a CHILD_SA's ESP (RFC 7296 §3.3, RFC 4303): the cipher, the
 * integrity algorithm (null for AEAD) and, for a rekey with perfect forward secrecy, the group
 * (null when none). Extended sequence numbers are not used.
 */
public record EspSuite(
    EncryptionAlgorithm encryption, int keyBits, IntegrityAlgorithm integrity, DhGroup group) {

  /** The answer proposal carrying our inbound SPI. */
  public Proposal toProposal(int number, int spi) {
    List<Transform> ts = new ArrayList<>();
    ts.add(new Transform(Transform.ENCR, encryption.transformId(), keyBits));
    if (integrity != null) {
      ts.add(new Transform(Transform.INTEG, integrity.transformId()));
    }
    if (group != null) {
      ts.add(new Transform(Transform.DH, group.number()));
    }
    ts.add(new Transform(Transform.ESN, Transform.ESN_NO));
    byte[] s = {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
    return new Proposal(number, Proposal.ESP, s, ts);
  }

  /** The same suite without its PFS group. */
  public EspSuite withoutGroup() {
    return new EspSuite(encryption, keyBits, integrity, null);
  }

  /** Octets of keying material per direction (cipher key, salt, integrity key). */
  public int keyMaterialPerDirection() {
    return encryption.keyMaterialLength(keyBits) + (integrity == null ? 0 : integrity.keyLength());
  }

  /** A short name for the management API, e.g. {@code AES_GCM_16_256}. */
  @Override
  public String toString() {
    return encryption.name()
        + "_"
        + keyBits
        + (integrity == null ? "" : "/" + integrity.name())
        + (group == null ? "" : "/" + group.name());
  }
}
