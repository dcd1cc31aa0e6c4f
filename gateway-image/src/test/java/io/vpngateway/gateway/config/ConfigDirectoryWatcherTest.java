package io.vpngateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.GatewayFixture;
import io.vpngateway.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher against the layout the kubelet gives a Secret volume: every visible file is a symlink
 * through {@code ..data}, and an update swaps {@code ..data} to a new timestamped directory with
 * one rename.
 */
class ConfigDirectoryWatcherTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  @TempDir Path work;

  @Test
  void followsSecretVolumeSymlinkSwapsAndRejectsAnInvalidUpdate() throws Exception {
    Path state = work.resolve("state");
    StateDirectory prepared = GatewayFixture.preparedState(state);
    Path volume = Files.createDirectory(work.resolve("volume"));
    List<String> names = publish(state, volume, "..2026_11_25_10_00_00.1");
    for (String name : names) {
      Files.createSymbolicLink(volume.resolve(name), Path.of("..data", name));
    }
    ConfigSource source = ConfigSource.open(volume, new ConfigDirectoryLoader());
    AtomicInteger applied = new AtomicInteger();
    source.addListener((before, after) -> applied.incrementAndGet());

    try (ConfigDirectoryWatcher watcher = ConfigDirectoryWatcher.start(source)) {
      CertificateAuthority ca = prepared.certificateAuthority();
      IssuedCertificate alice =
          ca.issueClientCertificate(
              ClientCertificateRequest.of("alice", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
              Instant.now());
      prepared.revoke(ca, alice.certificate().getSerialNumber(), Instant.now());
      long start = System.nanoTime();
      publish(state, volume, "..2026_11_25_10_05_00.2");

      await(() -> applied.get() == 1);
      assertTrue(source.current().crl().orElseThrow().isRevoked(alice.certificate()));
      System.out.printf(
          "symlink swap applied after %d ms%n", (System.nanoTime() - start) / 1_000_000);

      String goodFingerprint = source.current().fingerprint();
      Files.writeString(state.resolve("server.crt"), "not a certificate\n");
      publish(state, volume, "..2026_11_25_10_10_00.3");

      await(() -> source.reloadsRejected() == 1);
      assertEquals(goodFingerprint, source.current().fingerprint(), "last good config kept");
      assertEquals(1, applied.get());
    }
  }

  /**
   * What the fallback poll compares instead of reading and parsing the files: it must move on a
   * kubelet swap and on an in-place rewrite, and stay put otherwise.
   */
  @Test
  void theCheapSignatureMovesOnASwapOrARewriteAndOnlyThen() throws Exception {
    Path state = work.resolve("state");
    GatewayFixture.preparedState(state);
    Path volume = Files.createDirectory(work.resolve("volume"));
    List<String> names = publish(state, volume, "..2026_11_25_10_00_00.1");
    for (String name : names) {
      Files.createSymbolicLink(volume.resolve(name), Path.of("..data", name));
    }
    String first = ConfigDirectoryWatcher.signature(volume);
    assertEquals(first, ConfigDirectoryWatcher.signature(volume), "nothing changed");

    publish(state, volume, "..2026_11_25_10_05_00.2");
    String swapped = ConfigDirectoryWatcher.signature(volume);
    assertTrue(!swapped.equals(first), "a ..data swap moves it");

    Path crl = volume.resolve("..data").resolve(names.get(0)).toRealPath();
    Files.write(crl, Files.readAllBytes(crl), java.nio.file.StandardOpenOption.APPEND);
    assertTrue(!ConfigDirectoryWatcher.signature(volume).equals(swapped), "a rewrite moves it");
  }

  /**
   * Copies the state files into a new timestamped directory of the volume and swaps {@code ..data}
   * to it the way the kubelet's atomic writer does: a {@code ..data_tmp} link, renamed.
   */
  private static List<String> publish(Path from, Path volume, String version) throws IOException {
    Path target = Files.createDirectory(volume.resolve(version));
    List<String> names;
    try (Stream<Path> files = Files.list(from)) {
      names =
          files
              .filter(Files::isRegularFile)
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .toList();
    }
    for (String name : names) {
      Files.copy(from.resolve(name), target.resolve(name));
    }
    Path tmp = volume.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, Path.of(version));
    Files.move(tmp, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    return names;
  }

  private static void await(BooleanSupplier condition) {
    Wait.until("the watcher to react", DEADLINE, condition::getAsBoolean);
  }
}
