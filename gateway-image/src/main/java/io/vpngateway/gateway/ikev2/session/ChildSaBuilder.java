package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.crypto.ChildSaKeys;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.message.TrafficSelector;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Creates CHILD_SAs for an IKE SA (IKE_AUTH and CREATE_CHILD_SA alike): keys from SK_d (RFC 7296
 * §2.17), a fresh inbound SPI, and installation in the ESP table so its packets are accepted.
 */
final class ChildSaBuilder {
  private ChildSaBuilder() {}

  /**
   * Builds and installs a CHILD_SA.
   *
   * @param ourSpi an inbound SPI reserved in the table
   * @param peerSpi the SPI the peer receives on
   * @param sharedSecret g^ir of a CREATE_CHILD_SA with KE, or null
   * @param ni the exchange initiator's nonce
   * @param nr the exchange responder's nonce
   * @param weInitiated whether we initiated this exchange
   */
  static ChildSa install(
      IkeEngine engine,
      IkeSa sa,
      EspSuite suite,
      int ourSpi,
      int peerSpi,
      byte[] sharedSecret,
      byte[] ni,
      byte[] nr,
      boolean weInitiated,
      List<TrafficSelector> local,
      List<TrafficSelector> remote,
      long now) {
    ChildSaKeys keys = ChildSaKeys.derive(suite, sa.suite.prf(), sa.keys.skD(), sharedSecret, ni, nr);
    ChildSa child;
    try {
      child = new ChildSa(ourSpi, peerSpi, suite, keys, weInitiated, local, remote, now);
    } catch (GeneralSecurityException e) {
      engine.childSas.release(ourSpi);
      throw new IllegalStateException("ESP cipher " + suite + " is not available", e);
    }
    child.session = sa.session;
    sa.children.add(child);
    engine.childSas.put(child);
    return child;
  }
}
