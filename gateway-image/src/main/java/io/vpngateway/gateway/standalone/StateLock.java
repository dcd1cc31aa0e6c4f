package io.vpngateway.gateway.standalone;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the read-modify-write changes to a state directory (the CRL, the issued records, the
 * server certificate) between processes ({@code vpngw revoke} while {@code vpngw serve} re-signs
 * the CRL) and between threads of one process. Without it, a CRL re-signed from a copy read before
 * a revocation would drop that revocation: a CRL is complete (RFC 5280 §5), so a missing entry
 * un-revokes the certificate.
 */
final class StateLock implements AutoCloseable {
  static final String FILE = ".lock";

  /**
   * A file lock is held per process (fcntl), so threads of one JVM also need a lock of their own.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
      new ConcurrentHashMap<>();

  private final ReentrantLock threads;
  private final FileChannel channel;
  private final FileLock lock;

  private StateLock(ReentrantLock threads, FileChannel channel, FileLock lock) {
    this.threads = threads;
    this.channel = channel;
    this.lock = lock;
  }

  /** Blocks until this thread holds the directory's lock. */
  static StateLock acquire(Path dir) throws IOException {
    Path file = dir.toRealPath().resolve(FILE);
    ReentrantLock threads = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock());
    if (threads.isHeldByCurrentThread()) {
      // closing a second channel on the file would release the process's lock (fcntl semantics)
      throw new IllegalStateException("the state directory lock is not re-entrant");
    }
    threads.lock();
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file,
              java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(
                  PosixFilePermissions.fromString(AtomicFiles.PRIVATE)));
      return new StateLock(threads, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      threads.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      threads.unlock();
    }
  }
}
