package io.vpngateway.gateway.testing;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigCodec;
import io.vpngateway.api.config.GatewayConfigRenderer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Puts an {@code authentication.oidc} section (and its issuer CA file) into a config directory. */
public final class OidcConfigs {
  private OidcConfigs() {}

  /**
   * Rewrites {@code dir/config.yaml} with {@code oidc} (its issuer CA written as the file the
   * renderer names) and returns the document.
   */
  public static GatewayConfig withOidc(Path dir, GatewayConfig.Oidc oidc, String issuerCaPem)
      throws Exception {
    GatewayConfig doc = GatewayConfigCodec.read(Files.readString(dir.resolve("config.yaml")));
    GatewayConfig next =
        doc.withAuthentication(
            doc.authentication().withOidc(oidc));
    if (issuerCaPem != null) {
      Files.writeString(dir.resolve(GatewayConfigRenderer.OIDC_ISSUER_CA_FILE), issuerCaPem);
    }
    Files.writeString(dir.resolve("config.yaml"), GatewayConfigCodec.write(next));
    return next;
  }

  /** An OIDC section trusting the issuer CA file; web sign-in on when {@code clientId} is set. */
  public static GatewayConfig.Oidc oidc(
      String issuerUrl,
      String audience,
      String clientId,
      List<String> allowedGroups,
      int callbackPort,
      long signInTimeoutMillis) {
    return new GatewayConfig.Oidc(
        issuerUrl,
        audience,
        clientId,
        "groups",
        allowedGroups,
        null,
        GatewayConfigRenderer.OIDC_ISSUER_CA_FILE,
        List.of("openid", "profile"),
        null,
        callbackPort,
        signInTimeoutMillis,
        60_000);
  }

  /** A port that was free a moment ago (tests on loopback). */
  public static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
