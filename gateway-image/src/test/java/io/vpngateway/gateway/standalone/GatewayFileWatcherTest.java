package io.vpngateway.gateway.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.testing.GatewayFixture;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayFileWatcherTest {
  @TempDir Path tmp;

  @Test
  void aChangedGatewayFileIsRenderedAndABrokenOneIsIgnored() throws Exception {
    Path file = tmp.resolve("gateway.yaml");
    Files.copy(GatewayFixture.examples().resolve("gateway-minimal.yaml"), file);
    StateDirectory state = StateDirectory.open(tmp.resolve("state"));
    state.prepare(GatewayFixture.minimalGateway(), List.of("127.0.0.1"), Instant.now());
    GatewayFileWatcher watcher = new GatewayFileWatcher(file, state, Files.readAllBytes(file));

    Files.writeString(
        file,
        Files.readString(file)
            .replace("routes: [10.96.0.0/12]", "routes: [10.96.0.0/12, 172.20.0.0/16]"));
    watcher.run();
    assertEquals(List.of("10.96.0.0/12", "172.20.0.0/16"), state.config().routing().routes());

    Files.writeString(
        file, Files.readString(file).replace("cidr: 10.200.0.0/24", "cidr: 10.200.0.0/33"));
    watcher.run();
    assertEquals(List.of("10.96.0.0/12", "172.20.0.0/16"), state.config().routing().routes());
    assertEquals("10.200.0.0/24", state.config().pools().get(0).cidr());
  }

  /** Started, it notices an editor's save (write a copy, rename it over the file) by itself. */
  @Test
  void startedItFollowsAnEditorsSave() throws Exception {
    Path file = tmp.resolve("gateway.yaml");
    Files.copy(GatewayFixture.examples().resolve("gateway-minimal.yaml"), file);
    StateDirectory state = StateDirectory.open(tmp.resolve("state"));
    state.prepare(GatewayFixture.minimalGateway(), List.of("127.0.0.1"), Instant.now());
    try (AutoCloseable watch =
        new GatewayFileWatcher(file, state, Files.readAllBytes(file)).start()) {
      Path saved = tmp.resolve(".gateway.yaml.new");
      Files.writeString(
          saved,
          Files.readString(file)
              .replace("routes: [10.96.0.0/12]", "routes: [10.96.0.0/12, 172.21.0.0/16]"));
      Files.move(saved, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Wait.until(
          "the saved file to be rendered",
          Duration.ofSeconds(10),
          () -> state.config().routing().routes().contains("172.21.0.0/16"));
    }
  }
}
