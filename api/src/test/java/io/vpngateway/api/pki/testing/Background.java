package io.vpngateway.api.pki.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A long-running tool (a VPN daemon or client) whose merged output is collected as it comes. */
public final class Background implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final String name;
  private final Thread reader;

  private Background(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::pump, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  public static Background start(String name, Path workDir, List<String> command)
      throws IOException {
    Process process =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    return new Background(name, process);
  }

  private void pump() {
    byte[] buffer = new byte[4096];
    try (InputStream in = process.getInputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      output.append("\n<output closed: ").append(e.getMessage()).append(">\n");
    }
  }

  /**
   * Polls the output until it contains {@code text}; returns false when the deadline passes or the
   * process exits first.
   */
  public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (output.indexOf(text) >= 0) {
        return true;
      }
      if (!process.isAlive()) {
        // the reader ends at EOF: once it has, the output is complete
        reader.join(Math.max(1, Math.min(2_000, (deadline - System.nanoTime()) / 1_000_000)));
        return output.indexOf(text) >= 0;
      }
      Thread.sleep(25);
    }
    return false;
  }

  /** Waits for the process to exit by itself. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public String output() {
    return name + " output:\n" + output;
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
