package io.vpngateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A long-lived process the lab started inside a namespace (a peer daemon, an iperf3 server, the
 * gateway JVM). Its stdout and stderr go to one log file, which {@link #awaitLine} polls.
 */
public final class LabProcess implements AutoCloseable {
  private final String label;
  private final Process process;
  private final Path log;

  LabProcess(String label, Process process, Path log) {
    this.label = label;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in this JVM's own namespace (no lab), its output to {@code log}; the
   * caller closes it. Inside a lab namespace use {@link Netns#start} instead.
   */
  public static LabProcess start(String label, List<String> command, Path log)
      throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    return new LabProcess(label, p, log);
  }

  public String label() {
    return label;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path logFile() {
    return log;
  }

  /** Everything the process printed so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until a line of the output matches {@code regex} (find, not full match) and returns it.
   *
   * @throws AssertionError with the output so far when the deadline passes or the process exits
   *     first
   */
  public String awaitLine(String regex, Duration timeout) {
    Pattern pattern = Pattern.compile(regex);
    String[] found = new String[1];
    Wait.until(
        label + " printing /" + regex + "/",
        timeout,
        () -> {
          boolean exited = !process.isAlive();
          for (String line : output().split("\n", -1)) {
            if (pattern.matcher(line).find()) {
              found[0] = line;
              return true;
            }
          }
          if (exited) {
            throw new AssertionError(
                label + " exited (" + process.exitValue() + ") before printing /" + regex + "/:\n"
                    + tail());
          }
          return false;
        },
        this::tail);
    return found[0];
  }

  /** Waits until {@code text} occurs {@code count} times in the output. */
  public void awaitOccurrences(String text, int count, Duration timeout) {
    Wait.until(
        "'" + text + "' printed " + count + " times by " + label,
        timeout,
        () -> output().split(Pattern.quote(text), -1).length - 1 >= count,
        this::tail);
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(label + " still running after " + timeout + ":\n" + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + label, e);
    }
  }

  /** The last 60 lines of output, for assertion messages. */
  public String tail() {
    String[] lines = output().split("\n");
    int from = Math.max(0, lines.length - 60);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }

  /**
   * Stops the process and everything it started: SIGTERM to the tree, then SIGKILL after a grace
   * period. {@code ip netns exec} execs the command, so the tree is the command itself plus its
   * children.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
