package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Settings for tests: endpoints of a {@link FreeRadiusServer} or of a test socket. */
final class RadiusTestSettings {
  private RadiusTestSettings() {}

  static RadiusServerEndpoint endpoint(FreeRadiusServer r, String secret, Duration timeout,
      int priority) {
    return new RadiusServerEndpoint(r.address(), r.authPort(), r.accountingPort(),
        SecretBytes.of(secret.getBytes(StandardCharsets.UTF_8)), priority, timeout);
  }

  static RadiusServerEndpoint endpoint(String host, int port, String secret, Duration timeout,
      int priority) {
    return new RadiusServerEndpoint(host, port, port + 1,
        SecretBytes.of(secret.getBytes(StandardCharsets.UTF_8)), priority, timeout);
  }

  static RadiusSettings settings(RadiusSettings.PasswordProtocol protocol, String groups,
      int retries, RadiusServerEndpoint... servers) {
    return new RadiusSettings(List.of(servers), retries, protocol,
        GroupAttributeSelector.parse(groups), "vpn/test", false);
  }
}
