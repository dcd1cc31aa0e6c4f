package io.vpngateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {
  @TempDir Path dir;

  @Test
  void unchangedBytesDoNotReload() throws Exception {
    GatewayFixture.preparedState(dir);
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    List<ReloadOutcome> outcomes = new ArrayList<>();
    source.onOutcome(outcomes::add);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, Files.readString(config)); // a touch, same bytes

    assertEquals(ReloadOutcome.Result.UNCHANGED, source.reload().result());
    assertEquals(List.of(), outcomes);
  }

  @Test
  void liveChangesApplyAndRestartOnlyChangesAreNamed() throws Exception {
    GatewayFixture.preparedState(dir);
    ConfigSource source = ConfigSource.open(dir, new ConfigDirectoryLoader());
    List<String> seenRoutes = new ArrayList<>();
    source.addListener((before, after) -> seenRoutes.addAll(after.document().routing().routes()));
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("  - 10.96.0.0/12\n", "  - 10.96.0.0/12\n  - 172.20.0.0/16\n")
            .replace("openvpnUdp: 1194", "openvpnUdp: 1195"));

    ReloadOutcome outcome = source.reload();

    assertEquals(ReloadOutcome.Result.APPLIED, outcome.result(), outcome.message());
    assertEquals(List.of("10.96.0.0/12", "172.20.0.0/16"), seenRoutes);
    assertEquals(List.of("listen"), outcome.restartNeeded());
    assertEquals(1, source.reloadsApplied());
  }
}
