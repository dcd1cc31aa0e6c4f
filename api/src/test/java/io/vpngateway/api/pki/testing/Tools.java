package io.vpngateway.api.pki.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * External tools (openssl, openvpn, swanctl) for interop checks in the api module, which cannot see
 * the gateway's lab helpers. A missing tool skips the test with the reason, except under {@code
 * CI=true}, where it fails (the CI image is supposed to have them).
 */
public final class Tools {
  private Tools() {}

  public record Result(int exitCode, String output) {}

  public static Path require(String binary) {
    for (String dir :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin").split(":")) {
      Path candidate = Path.of(dir, binary);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    requireThat(false, "binary '" + binary + "' is not installed");
    return null;
  }

  public static void requireRoot() {
    requireThat(
        "root".equals(System.getProperty("user.name")), "must run as root (network namespaces)");
  }

  public static void requireThat(boolean condition, String missing) {
    if (condition) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but a prerequisite is missing: " + missing);
    }
    assumeTrue(false, "skipped: " + missing);
  }

  /** Runs a command with stderr merged into stdout, killing it after {@code timeout}. */
  public static Result run(Duration timeout, Path workDir, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      // The output is small; read it on a helper thread so a chatty tool cannot block on a pipe.
      var output = new java.util.concurrent.CompletableFuture<String>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  output.complete(
                      new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  output.complete("<output unreadable: " + e + ">");
                }
              });
      reader.setDaemon(true);
      reader.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        fail(command + " did not finish within " + timeout + "; output so far is lost");
      }
      return new Result(process.exitValue(), output.get(5, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    }
  }

  public static Result run(Path workDir, String... command) {
    return run(Duration.ofSeconds(30), workDir, List.of(command));
  }
}
