package io.vpngateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.NetnsLab;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code vpngw serve} process never ends without a line saying so. Bench gateways stopped by a
 * SIGTERM during their start left an empty log (nothing was logged before the start completed,
 * and no shutdown hook existed yet); and the stop's own lines raced the JDK's log manager, whose
 * shutdown hook closes the handlers.
 */
class ShutdownLoggingTest {
  @TempDir Path tmp;

  /**
   * The VpnGateway file is a FIFO: {@code serve} blocks reading it, in the middle of its start,
   * until the test's SIGTERM.
   */
  @Test
  void aSigtermDuringTheStartIsLogged() throws Exception {
    Path gatewayFile = tmp.resolve("gateway.yaml");
    Process mkfifo = new ProcessBuilder("mkfifo", gatewayFile.toString()).start();
    assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
    Path log = tmp.resolve("serve.log");
    Process serve =
        java(log, Vpngw.class.getName(), "serve", "-f", gatewayFile.toString(), "--state-dir",
            tmp.resolve("state").toString());
    // opening the FIFO for writing returns once serve opened it for reading: it is starting
    CompletableFuture<FileOutputStream> writer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new FileOutputStream(gatewayFile.toFile());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try (FileOutputStream open = writer.get(60, TimeUnit.SECONDS)) {
      serve.destroy(); // SIGTERM
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve ends on SIGTERM");
      assertEquals(143, serve.exitValue());
    } finally {
      serve.destroyForcibly();
      writer.cancel(true);
    }
    String text = Files.readString(log);
    assertTrue(text.contains("vpngw serve starting, pid " + serve.pid()), text);
    assertTrue(text.contains("stopping before the gateway was ready"), text);
  }

  /**
   * Through the launcher ({@code bin/vpngw}), a SIGTERM as soon as it started the JVM, long before
   * the JVM runs any of our code: the log still has the launcher's line with the pid it keeps.
   */
  @Test
  void aSigtermWhileTheJvmStartsLeavesTheLaunchersLine() throws Exception {
    Path gatewayFile = tmp.resolve("gateway.yaml");
    Process mkfifo = new ProcessBuilder("mkfifo", gatewayFile.toString()).start();
    assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
    Path log = tmp.resolve("launcher.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                io.vpngateway.gateway.testing.ServedGateway.launcher().toString(), "serve", "-f",
                gatewayFile.toString(), "--state-dir", tmp.resolve("state").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("VPNGW_CLASSPATH", NetnsLab.testClasspath());
    Process serve = builder.start();
    try {
      String line = "for serve, pid " + serve.pid();
      org.awaitility.Awaitility.await("the launcher's line")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains(line));
      serve.destroy(); // SIGTERM
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve ends on SIGTERM");
      assertEquals(143, serve.exitValue());
      assertTrue(Files.readString(log).contains(line));
    } finally {
      serve.destroyForcibly();
    }
  }

  /**
   * A shutdown hook that logs once the JDK's own hook has closed the handlers (or after 3 s when
   * it never does): with the JDK's log manager the line is lost, with {@link ShutdownLogManager}
   * (what {@code vpngw} installs) it is written.
   */
  @Test
  void aLineLoggedByAShutdownHookAfterTheLogManagersOwnHookIsWritten() throws Exception {
    Path jdk = tmp.resolve("jdk-manager.log");
    Process withJdkManager =
        java(jdk, "-Djava.util.logging.manager=java.util.logging.LogManager",
            LateHook.class.getName());
    assertTrue(withJdkManager.waitFor(60, TimeUnit.SECONDS), "the child exits");
    String lost = Files.readString(jdk);
    assertTrue(lost.contains("running"), lost);
    assertTrue(!lost.contains("the late hook's line"), "the JDK's manager drops it: " + lost);

    Path ours = tmp.resolve("vpngw-manager.log");
    Process withOurs = java(ours, LateHook.class.getName());
    assertTrue(withOurs.waitFor(60, TimeUnit.SECONDS), "the child exits");
    String kept = Files.readString(ours);
    assertTrue(kept.contains("the late hook's line"), kept);
  }

  /** A JVM as {@link Vpngw#main} starts one, with a shutdown hook that logs last. */
  static final class LateHook {
    public static void main(String[] args) {
      Vpngw.installLogManager();
      LogFormat.install();
      Logger log = Logger.getLogger(LateHook.class.getName());
      log.info("running");
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                    while (Logger.getLogger("").getHandlers().length > 0
                        && System.nanoTime() - end < 0) {
                      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    log.info("the late hook's line");
                  }));
      System.exit(0);
    }
  }

  /** A JVM on the test class path: {@code [-Doption...] MainClass [args...]}. */
  private static Process java(Path log, String... optionsMainAndArgs) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(NetnsLab.testClasspath());
    command.addAll(List.of(optionsMainAndArgs));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
