package io.vpngateway.gateway.ikev2;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.ikev2.session.Ikev2Policy;
import java.time.Duration;

/** Maps the config document and its files onto the IKEv2 responder's policy. */
final class Ikev2PolicyMapper {
  private Ikev2PolicyMapper() {}

  /** Half-open IKE SAs from which IKE_SA_INIT must carry a cookie (RFC 7296 §2.6). */
  static final int COOKIE_THRESHOLD = 64;
  static final int MAX_HALF_OPEN = 4096;
  static final int MAX_HALF_OPEN_PER_SOURCE = 32;
  static final Duration HALF_OPEN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param maxConnections this replica's share of the gateway's connection limit
   */
  static Ikev2Policy policy(RuntimeConfig config, int maxConnections) {
    GatewayConfig doc = config.document();
    GatewayConfig.Ikev2 t = doc.ikev2OrDefaults();
    return new Ikev2Policy(
        Ikev2Policy.ike(doc.crypto().ike()),
        Ikev2Policy.esp(doc.crypto().esp()),
        config.serverCertificateChain(),
        config.serverKey(),
        config.clientTrustAnchors().isEmpty()
            ? java.util.List.of(config.caCertificate())
            : config.clientTrustAnchors(),
        doc.routing().routes(),
        doc.routing().forceTunnel(),
        doc.dns().servers(),
        doc.dns().searchDomains(),
        Duration.ofSeconds(t.ikeLifetimeSeconds()),
        Duration.ofSeconds(t.childLifetimeSeconds()),
        t.childLifetimeKilobytes() * 1024,
        Duration.ofSeconds(t.dpdDelaySeconds()),
        Duration.ofSeconds(t.dpdTimeoutSeconds()),
        HALF_OPEN_TIMEOUT,
        MAX_HALF_OPEN,
        MAX_HALF_OPEN_PER_SOURCE,
        COOKIE_THRESHOLD,
        t.fragmentSize() - 20 - 8 - 4,
        maxConnections);
  }
}
