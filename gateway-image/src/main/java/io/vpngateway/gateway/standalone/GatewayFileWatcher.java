package io.vpngateway.gateway.standalone;

import io.vpngateway.gateway.config.DirectoryEvents;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * For {@code vpngw serve -f}: when the VpnGateway file changes, renders it into the state directory
 * again, where the running gateway's config watch picks it up like an operator update. A file that
 * does not parse or validate is refused with one log line and changes nothing. {@link #start} runs
 * a check after every event of the file in its directory (inotify; an editor's save is a rename
 * there; other files' events are ignored) and, where inotify may miss a change ({@link
 * DirectoryEvents#trusted}, or the file is a symbolic link), every {@link #POLL}: an idle gateway
 * on a local disk does not wake up for its file. A check whose file has the size,
 * modification time and inode of the last one reads nothing; otherwise comparing a hash keeps a
 * touched but unchanged file free.
 */
public final class GatewayFileWatcher implements Runnable {
  private static final Logger LOG = Logger.getLogger(GatewayFileWatcher.class.getName());

  /** Poll interval where inotify may miss a change. */
  static final Duration POLL = Duration.ofSeconds(2);

  /** Where inotify is exact, a check this often anyway (a lost event costs at most this). */
  static final Duration SAFETY_CHECK = Duration.ofMinutes(5);

  /** Quiet time after the last event before checking: an editor writes, renames, chmods. */
  static final Duration SETTLE = Duration.ofMillis(200);

  private final Path file;
  private final StateDirectory state;
  private byte[] lastDigest;
  private String lastStat = "";

  /** {@code initialContent} is what the gateway was started with. */
  public GatewayFileWatcher(Path file, StateDirectory state, byte[] initialContent) {
    this.file = file;
    this.state = state;
    this.lastDigest = sha256(initialContent);
  }

  /** Checks the file after each change, on a daemon thread, until the result is closed. */
  public AutoCloseable start() throws IOException {
    Path absolute = file.toAbsolutePath();
    DirectoryEvents events = DirectoryEvents.open(absolute.getParent());
    Path name = absolute.getFileName();
    // a symbolic link's target changes without an event in this directory: poll for those
    Duration poll =
        Files.isSymbolicLink(absolute) ? POLL : events.pollInterval(POLL, SAFETY_CHECK);
    Thread thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  // the directory may hold busy files (logs): only this file's events count
                  events.await(poll, SETTLE, name::equals);
                  run();
                }
              } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
              }
            },
            "gateway-file-watcher");
    thread.setDaemon(true);
    thread.start();
    return () -> {
      events.close();
      thread.interrupt();
    };
  }

  /** One check: renders the file again if its content changed. */
  @Override
  public void run() {
    byte[] content;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      String stat = a.size() + "|" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "|"
          + a.fileKey();
      if (stat.equals(lastStat)) {
        return;
      }
      lastStat = stat;
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      return; // an editor replacing the file; the next round sees it
    }
    byte[] digest = sha256(content);
    if (Arrays.equals(digest, lastDigest)) {
      return;
    }
    lastDigest = digest;
    try {
      state.prepare(GatewayFile.parse(content, file.toString()), List.of(), Instant.now());
      LOG.info(file + " changed; rendered it into " + state.path());
    } catch (StandaloneException | RuntimeException e) {
      LOG.warning(
          file + " changed but cannot be used, keeping the running config: " + e.getMessage());
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
