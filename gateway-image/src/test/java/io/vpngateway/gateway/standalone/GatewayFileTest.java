package io.vpngateway.gateway.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vpngw serve -f}: the Secrets a VpnGateway references come from Secret documents of the
 * same file, as {@code kubectl apply -f} takes them, and a missing one is one line naming it.
 */
class GatewayFileTest {
  private static final String GATEWAY = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: rad
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: 10.200.0.0/24
        authentication:
          radius:
            servers:
              - address: 127.0.0.1
                secretRef: {name: radius-secret}
              - address: 127.0.0.2
                secretRef: {name: other-secret, key: shared}
      """;
  private static final String SECRETS = """
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: radius-secret
      stringData:
        secret: first-shared-secret
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: other-secret
      data:
        shared: c2Vjb25kLXNoYXJlZC1zZWNyZXQ=
      """;

  @TempDir Path dir;

  @Test
  void referencedSecretsFromTheSameFileBecomeTheConfigFiles() throws Exception {
    GatewayFile file = GatewayFile.parse(GATEWAY + SECRETS, "gw.yaml");
    assertEquals(2, file.secrets().size());
    StateDirectory state = StateDirectory.open(dir);
    state.prepare(file, List.of("vpn.example"), Instant.now());
    assertEquals("first-shared-secret", Files.readString(dir.resolve("radius-0.secret")));
    assertEquals("second-shared-secret", Files.readString(dir.resolve("radius-1.secret")));
    assertFalse(Files.getPosixFilePermissions(dir.resolve("radius-0.secret")).toString()
        .contains("OTHERS"), "secret files are private");
  }

  @Test
  void aMissingSecretIsOneLineNamingItAndItsField() throws Exception {
    String onlyFirst = GATEWAY + SECRETS.substring(0, SECRETS.indexOf("---", 4));
    GatewayFile file = GatewayFile.parse(onlyFirst, "gw.yaml");
    StateDirectory state = StateDirectory.open(dir);
    StandaloneException e = assertThrows(StandaloneException.class,
        () -> state.prepare(file, List.of("vpn.example"), Instant.now()));
    assertTrue(e.getMessage().startsWith("Secret 'other-secret'"
        + " (authentication.radius.servers[1].secretRef) not found"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertFalse(Files.exists(dir.resolve("config.yaml")), "nothing rendered on error");
  }

  @Test
  void aSecretWithoutTheKeyIsNamedToo() throws Exception {
    String wrongKey = GATEWAY + SECRETS.replace("shared: c2Vj", "other: c2Vj");
    StandaloneException e = assertThrows(StandaloneException.class,
        () -> StateDirectory.open(dir).prepare(GatewayFile.parse(wrongKey, "gw.yaml"),
            List.of("vpn.example"), Instant.now()));
    assertTrue(e.getMessage().contains("Secret 'other-secret'"
        + " (authentication.radius.servers[1].secretRef) has no key 'shared'"), e.getMessage());
  }

  @Test
  void aFileWithoutAVpnGatewayOrWithTwoIsRefused() {
    assertThrows(StandaloneException.class, () -> GatewayFile.parse(SECRETS, "gw.yaml"));
    assertThrows(StandaloneException.class,
        () -> GatewayFile.parse(GATEWAY + "---\n" + GATEWAY, "gw.yaml"));
    assertThrows(StandaloneException.class, () -> GatewayFile.parse(": : :", "gw.yaml"));
  }
}
