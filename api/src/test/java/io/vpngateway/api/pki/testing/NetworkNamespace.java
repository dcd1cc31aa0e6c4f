package io.vpngateway.api.pki.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace created for one test, with only {@code lo} (brought up): nothing in it can
 * reach the host or the outside. Deleted on close. Names carry a per-JVM prefix so concurrent test
 * runs of other helpers do not collide.
 */
public final class NetworkNamespace implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private final String name;

  private NetworkNamespace(String name) {
    this.name = name;
  }

  public static NetworkNamespace create(String purpose) {
    Tools.requireRoot();
    Tools.require("ip");
    String name =
        "pki" + purpose + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    var add = Tools.run(Path.of("."), "ip", "netns", "add", name);
    assertEquals(0, add.exitCode(), add.output());
    NetworkNamespace ns = new NetworkNamespace(name);
    var up = Tools.run(Path.of("."), "ip", "-n", name, "link", "set", "lo", "up");
    if (up.exitCode() != 0) {
      ns.close();
      throw new AssertionError("cannot bring lo up in " + name + ": " + up.output());
    }
    return ns;
  }

  public String name() {
    return name;
  }

  /** {@code ip netns exec <ns> <command...>}. */
  public List<String> exec(String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return full;
  }

  public Tools.Result run(Path workDir, Duration timeout, String... command) {
    return Tools.run(timeout, workDir, exec(command));
  }

  @Override
  public void close() {
    Tools.run(Path.of("."), "ip", "netns", "del", name);
  }
}
