package io.vpngateway.gateway.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The change events of one directory (inotify through the JDK's {@link WatchService}), and whether
 * they can be trusted there.
 *
 * <p>inotify reports only what passes through the local kernel's view of the filesystem: it is
 * exact on local disk filesystems and on tmpfs (where the kubelet puts Secret volumes), and silent
 * on network filesystems (a change made by another host) and on FUSE and overlay mounts (a change
 * made beneath the mount). A watcher on such a directory must poll; on a trusted one it may sleep
 * until an event, which is what lets an idle gateway stay asleep.
 */
public final class DirectoryEvents implements AutoCloseable {
  /**
   * Filesystem types (as {@code /proc/mounts} names them) whose every change goes through this
   * kernel's VFS, so inotify sees it. Anything else is polled.
   */
  static final Set<String> TRUSTED_TYPES =
      Set.of("tmpfs", "ramfs", "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "jfs");

  private final WatchService watchService;
  private final boolean trusted;

  private DirectoryEvents(WatchService watchService, boolean trusted) {
    this.watchService = watchService;
    this.trusted = trusted;
  }

  /** Watches the entries of {@code directory} (created, modified, deleted, renamed in or out). */
  public static DirectoryEvents open(Path directory) throws IOException {
    WatchService watchService = FileSystems.getDefault().newWatchService();
    try {
      directory.register(
          watchService,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | RuntimeException e) {
      watchService.close();
      throw e;
    }
    return new DirectoryEvents(watchService, trusted(directory));
  }

  /** Whether inotify on {@code directory} reports every change (see the class comment). */
  static boolean trusted(Path directory) {
    try {
      return trustedType(Files.getFileStore(directory).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static boolean trustedType(String type) {
    return TRUSTED_TYPES.contains(type.toLowerCase(Locale.ROOT));
  }

  /** Whether the events of this directory can be trusted, so a long fallback poll is enough. */
  public boolean trusted() {
    return trusted;
  }

  /**
   * {@code untrusted} where events may be missed, else {@code trusted}: the time a watcher waits
   * for an event before it checks the directory anyway.
   */
  public Duration pollInterval(Duration untrusted, Duration trusted) {
    return this.trusted ? trusted : untrusted;
  }

  /**
   * Waits up to {@code timeout} for an event; after one, keeps draining until {@code settle}
   * passes without another, so a burst (a kubelet swap, a CLI writing several files, an editor's
   * save) ends in one return. True if an event came, false on a timeout.
   *
   * @throws java.nio.file.ClosedWatchServiceException once {@link #close} was called
   */
  public boolean await(Duration timeout, Duration settle) throws InterruptedException {
    return await(timeout, settle, name -> true);
  }

  /**
   * As {@link #await(Duration, Duration)}, counting only events whose entry name {@code relevant}
   * accepts (a lost-events overflow always counts): the others are drained and the wait goes on.
   */
  public boolean await(Duration timeout, Duration settle, Predicate<Path> relevant)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      WatchKey key = left > 0 ? watchService.poll(left, TimeUnit.NANOSECONDS) : null;
      if (key == null) {
        return false;
      }
      if (drain(key, relevant)) {
        while ((key = watchService.poll(settle.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          drain(key, name -> true);
        }
        return true;
      }
    }
  }

  private static boolean drain(WatchKey key, Predicate<Path> relevant) {
    boolean hit = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      hit |= !(event.context() instanceof Path name) || relevant.test(name);
    }
    key.reset();
    return hit;
  }

  @Override
  public void close() throws IOException {
    watchService.close();
  }
}
