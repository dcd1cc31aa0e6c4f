package io.vpngateway.gateway.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as child processes. The child inherits the network namespace of the calling thread,
 * which is how the gateway configures the namespace it runs in (its pod).
 */
public final class ProcessCommandRunner implements CommandRunner {
  private final Duration timeout;

  public ProcessCommandRunner(Duration timeout) {
    this.timeout = timeout;
  }

  public ProcessCommandRunner() {
    this(Duration.ofSeconds(15));
  }

  @Override
  public Result run(List<String> command, String stdin) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new NetworkSetupException(
          "cannot run '" + command.get(0) + "' (is it installed and on PATH?): " + e.getMessage(),
          e);
    }
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the command exited without reading its input; its output says why
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new NetworkSetupException(
            String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(process.exitValue(), output.get(5, TimeUnit.SECONDS).strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new NetworkSetupException("interrupted running " + String.join(" ", command), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new NetworkSetupException("cannot read output of " + String.join(" ", command), e);
    }
  }

  private static String readAll(Process process) {
    try (InputStream out = process.getInputStream()) {
      return new String(out.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
