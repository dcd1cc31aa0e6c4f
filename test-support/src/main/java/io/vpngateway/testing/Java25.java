package io.vpngateway.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the Java 25 runtime the gateway prefers (TLS keying-material exporter for OpenVPN's
 * tls-ekm, fast ChaCha20-Poly1305), in the order of the {@code vpngw} launcher and {@code
 * scripts/install-java25.sh}: {@code VPNGW_JAVA}, Temurin 25, Debian's OpenJDK 25, the private
 * copy that install script puts on Debian 12.
 */
public final class Java25 {
  private Java25() {}

  public static List<Path> candidates() {
    List<Path> c = new ArrayList<>();
    String override = System.getenv("VPNGW_JAVA");
    if (override != null && !override.isBlank()) {
      c.add(Path.of(override));
    }
    c.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
    c.add(Path.of("/usr/lib/jvm/java-25-openjdk-amd64/bin/java"));
    c.add(Path.of("/opt/vpngw/java-25/bin/java"));
    return c;
  }

  /** The first installed candidate, if any. */
  public static Optional<Path> find() {
    return candidates().stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * The Java 25 binary; skips the test with the reason when there is none, or fails it under
   * {@code CI=true} (install-prerequisites.sh installs one).
   */
  public static Path require() {
    Optional<Path> java = find();
    Prerequisites.require(
        java.isPresent(),
        "no Java 25 runtime (looked at " + candidates() + "; scripts/install-java25.sh installs one)");
    return java.orElseThrow();
  }

  /** The JDK running the tests (Java 17 in the build). */
  public static Path current() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }
}
