package io.vpngateway.gateway.runtime;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.gateway.auth.AuthenticationPipeline;
import io.vpngateway.gateway.auth.token.AuthTokens;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import java.time.Duration;

/**
 * Builds the gateway's {@link AuthenticationPipeline} from the config: the one place where
 * authentication backends are wired. A new backend (RADIUS, OIDC) adds its line here, built from
 * its section of {@code authentication}; every protocol then uses it through the admission.
 */
final class Authentications {
  private Authentications() {}

  static AuthenticationPipeline pipeline(RuntimeConfig config, CertificateTrust trust) {
    GatewayConfig.Authentication auth = config.document().authentication();
    AuthenticationPipeline.Builder b = AuthenticationPipeline.builder();
    if (auth.certificate() != null) {
      b.certificates(trust.authenticator());
    }
    config
        .authTokenKey()
        .ifPresent(
            key -> {
              byte[] secret = key.bytes();
              try {
                b.authTokens(
                    new AuthTokens(
                        secret,
                        Duration.ofSeconds(
                            config.document().openvpn().authTokenLifetimeSeconds())));
              } finally {
                SecretBytes.wipe(secret);
              }
            });
    return b.build();
  }
}
