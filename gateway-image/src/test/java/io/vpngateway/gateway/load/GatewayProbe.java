package io.vpngateway.gateway.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the gateway process costs, read from outside it: resident memory, threads and file
 * descriptors from {@code /proc}, CPU time (all threads, user + system) and the Java heap after a
 * full collection ({@code jcmd GC.run} then {@code GC.heap_info}, when a {@code jcmd} is at hand).
 */
public final class GatewayProbe {
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

  private final long pid;
  private final Path jcmd;

  /** @param jcmd the {@code jcmd} of the gateway's JDK, or null to skip heap figures */
  public GatewayProbe(long pid, Path jcmd) {
    this.pid = pid;
    this.jcmd = jcmd;
  }

  /** One reading. */
  public record Sample(long rssKb, long heapUsedKb, int threads, int fds, double cpuSeconds) {}

  /** Reads everything; {@code fullGc}: collect first so the heap figure is what is live. */
  public Sample sample(boolean fullGc) throws IOException {
    long heap = -1;
    if (jcmd != null && fullGc) {
      run("GC.run");
    }
    if (jcmd != null) {
      // every generation's "total ..., used NK" line: G1 prints one for the whole heap, the
      // serial collector (vpngw serve's default) one for the young and one for the old
      // generation; Metaspace and class space are not heap
      for (String line : run("GC.heap_info").split("\n")) {
        Matcher m = HEAP_USED.matcher(line);
        if (line.contains(" total ") && !line.contains("Metaspace")
            && !line.contains("class space") && m.find()) {
          heap = Math.max(heap, 0) + Long.parseLong(m.group(1));
        }
      }
    }
    return new Sample(status("VmRSS"), heap, (int) status("Threads"), fds(), cpuSeconds());
  }

  /** User + system CPU seconds of every thread so far. */
  public double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
  }

  private long status(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private int fds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) s.count();
    }
  }

  /**
   * The {@code top} classes of {@code jcmd GC.class_histogram} (live objects: it collects first),
   * with its total line; empty without a {@code jcmd}.
   */
  public String classHistogram(int top) throws IOException {
    if (jcmd == null) {
      return "";
    }
    List<String> lines = run("GC.class_histogram").lines().toList();
    StringBuilder b = new StringBuilder();
    int n = 0;
    for (String l : lines) {
      if (l.contains("num ") || l.startsWith("-") || l.startsWith("Total")
          || (l.matches("\\s*\\d+:.*") && n++ < top)) {
        b.append(l).append('\n');
      }
    }
    return b.toString();
  }

  /**
   * {@code jcmd VM.native_memory summary} (the gateway must run with {@code
   * -XX:NativeMemoryTracking=summary}), the committed figure of each category.
   */
  public String nativeMemory() throws IOException {
    if (jcmd == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (String l : run("VM.native_memory summary").lines().toList()) {
      if (l.startsWith("Total") || l.matches("^-\\s+\\S.*\\(reserved=.*")
          || l.matches("^\\s+\\(malloc=.*") || l.matches("^\\s+\\(stack: .*")
          || l.matches("^\\s+\\(thread #.*") || l.matches("^\\s+\\(mmap: .*")) {
        b.append(l).append('\n');
      }
    }
    return b.toString();
  }

  private String run(String command) throws IOException {
    List<String> argv = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
    argv.addAll(List.of(command.split(" ")));
    // to a file, not a pipe: a class histogram is far more than a pipe holds, and jcmd would
    // block writing it while we wait for it to exit
    Path out = Files.createTempFile("jcmd", ".txt");
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("jcmd " + command + " did not finish in 120 s");
      }
      return Files.readString(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The 1-minute load average of the machine, to print next to every figure. */
  public static double loadAverage() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
