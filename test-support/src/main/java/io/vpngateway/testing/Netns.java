package io.vpngateway.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One network namespace of a {@link NetnsLab}; commands run in it through {@code ip netns exec}.
 */
public final class Netns {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private final NetnsLab lab;
  private final String name;

  Netns(NetnsLab lab, String name) {
    this.lab = lab;
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** Runs a short command here and waits for it (20 s at most). */
  public ExecResult exec(String... command) {
    return exec(DEFAULT_TIMEOUT, command);
  }

  public ExecResult exec(Duration timeout, String... command) {
    return lab.run(wrap(command), Map.of(), timeout);
  }

  /** Runs a short command here in the working directory {@code dir}. */
  public ExecResult run(Path dir, Duration timeout, String... command) {
    return lab.run(wrap(command), Map.of(), timeout, dir);
  }

  /** Runs a short command here; throws with its output when it fails. */
  public ExecResult execOk(String... command) {
    return exec(command).orThrow();
  }

  /** Starts a long-lived process here; the lab stops it on close. */
  public LabProcess start(String label, String... command) {
    return start(label, Map.of(), command);
  }

  public LabProcess start(String label, Map<String, String> env, String... command) {
    return lab.startProcess(label, wrap(command), env);
  }

  /** Starts a long-lived process here in the working directory {@code dir}. */
  public LabProcess startIn(Path dir, String label, String... command) {
    return lab.startProcess(label, wrap(command), Map.of(), dir);
  }

  /**
   * Runs {@code task} on a new thread of this JVM that has joined this namespace (see {@link
   * Setns}); whatever the task opens there (a TUN device, a socket) lives in this namespace.
   */
  public <T> T callInside(Callable<T> task) throws Exception {
    return Setns.callInside(name, task);
  }

  /**
   * Starts a thread that joins this namespace and then runs {@code body}, e.g. a server loop. The
   * caller owns the thread's lifecycle.
   */
  public Thread startThreadInside(String threadName, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                Setns.callInside(
                    name,
                    () -> {
                      body.run();
                      return null;
                    });
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private List<String> wrap(String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return full;
  }

  @Override
  public String toString() {
    return name;
  }
}
