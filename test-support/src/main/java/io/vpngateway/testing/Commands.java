package io.vpngateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short external tool (openssl, openvpn --genkey, python3 ...) in the test's own namespace,
 * for checks that need no lab network. In a lab namespace use {@link Netns#exec} instead.
 */
public final class Commands {
  private Commands() {}

  /** Runs {@code command} in {@code dir} with stderr merged, killing it after {@code timeout}. */
  public static ExecResult run(Duration timeout, Path dir, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      // read on a helper thread so a chatty tool cannot block on a full pipe
      CompletableFuture<String> output = new CompletableFuture<>();
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
        throw new AssertionError(command + " did not finish within " + timeout);
      }
      return new ExecResult(command, process.exitValue(), output.get(5, TimeUnit.SECONDS));
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    }
  }

  public static ExecResult run(Path dir, String... command) {
    return run(Duration.ofSeconds(30), dir, List.of(command));
  }
}
