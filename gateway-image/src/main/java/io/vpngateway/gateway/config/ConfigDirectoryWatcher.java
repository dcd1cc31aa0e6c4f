package io.vpngateway.gateway.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reloads a {@link ConfigSource} when its directory changes.
 *
 * <p>A Kubernetes Secret volume never modifies a file in place: the kubelet writes a new
 * timestamped directory, points a {@code ..data_tmp} symlink at it and renames that over {@code
 * ..data}; the visible file names are symlinks through {@code ..data}. So the event to wait for is
 * "some entry of the directory was created, moved in, modified or deleted", not a change of a
 * particular file. After an event the watcher waits {@link #SETTLE} for the writer to finish (a CLI
 * writing several files, an editor's save), then reloads once; the reload itself compares
 * fingerprints, so spurious events cost one cheap hash.
 *
 * <p>Where inotify is exact ({@link DirectoryEvents#trusted}: tmpfs, as Secret volumes are, and
 * local disks) the thread sleeps until an event and checks on its own only every {@link
 * #FULL_CHECK}, so an idle gateway never wakes for its config. Elsewhere (network, FUSE and
 * overlay mounts, where a change may raise no event) a poll every {@link #POLL} compares the
 * directory's {@link #signature} (names, sizes, modification times and inodes, links followed,
 * which a kubelet swap or a rewrite changes) and reloads only when that moved, so it reads no file
 * and parses no document; every {@link #FULL_CHECK} the poll reloads regardless.
 */
public final class ConfigDirectoryWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigDirectoryWatcher.class.getName());

  /** Quiet time after the last event before reloading. */
  static final Duration SETTLE = Duration.ofMillis(250);

  /** Poll interval where events may be missed; revocation must still apply within seconds. */
  static final Duration POLL = Duration.ofSeconds(3);

  /** A poll reloads (fingerprint comparison) at least this often, whatever the signature says. */
  static final Duration FULL_CHECK = Duration.ofMinutes(5);

  private final ConfigSource source;
  private final DirectoryEvents events;
  private final Duration poll;
  private final Thread thread;
  private volatile boolean running = true;

  private ConfigDirectoryWatcher(ConfigSource source, DirectoryEvents events, Duration poll) {
    this.source = source;
    this.events = events;
    this.poll = poll;
    this.thread = new Thread(this::loop, "config-watcher");
    this.thread.setDaemon(true);
  }

  /** Starts watching {@code source}'s directory on a daemon thread. */
  public static ConfigDirectoryWatcher start(ConfigSource source) throws IOException {
    DirectoryEvents events = DirectoryEvents.open(source.directory());
    return start(source, events, events.pollInterval(POLL, FULL_CHECK));
  }

  /** With a given poll interval, whatever the filesystem (tests of the polling path). */
  static ConfigDirectoryWatcher start(ConfigSource source, Duration poll) throws IOException {
    return start(source, DirectoryEvents.open(source.directory()), poll);
  }

  private static ConfigDirectoryWatcher start(
      ConfigSource source, DirectoryEvents events, Duration poll) {
    ConfigDirectoryWatcher watcher = new ConfigDirectoryWatcher(source, events, poll);
    watcher.thread.start();
    return watcher;
  }

  private void loop() {
    String signature = signature(source.directory());
    long lastFull = System.nanoTime();
    while (running) {
      try {
        if (!events.await(poll, SETTLE)) {
          String now = signature(source.directory());
          boolean due = System.nanoTime() - lastFull > FULL_CHECK.toNanos() - poll.toNanos() / 2;
          if (now.equals(signature) && !due) {
            continue;
          }
          signature = now;
        }
        lastFull = System.nanoTime();
        source.reload();
        signature = signature(source.directory());
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        // a reload problem must never stop the watcher: the next change may fix it
        LOG.log(Level.SEVERE, "config reload failed unexpectedly", e);
      }
    }
  }

  /**
   * Name, size, modification time and file key (inode) of every entry of {@code directory},
   * symbolic links followed: a cheap stand-in for the content, read without opening any file.
   */
  static String signature(Path directory) {
    List<String> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      for (Path p : stream) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          entries.add(p.getFileName() + "|" + a.size() + "|" + a.lastModifiedTime().to(
              TimeUnit.NANOSECONDS) + "|" + a.fileKey());
        } catch (IOException e) {
          entries.add(p.getFileName() + "|unreadable"); // a dangling link mid-swap
        }
      }
    } catch (IOException e) {
      return "unreadable directory: " + e.getMessage();
    }
    Collections.sort(entries);
    return String.join("\n", entries);
  }

  @Override
  public void close() {
    running = false;
    try {
      events.close();
    } catch (IOException e) {
      LOG.fine("closing the watch service: " + e.getMessage());
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
