package io.vpngateway.gateway.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * For {@code vpngw serve -f}: when the VpnGateway file changes, renders it into the state directory
 * again, where the running gateway's config watch picks it up like an operator update. A file that
 * does not parse or validate is refused with one log line and changes nothing. Called periodically:
 * a round whose file has the size, modification time and inode of the last one reads nothing (an
 * idle gateway must not wake up to hash files); otherwise comparing a hash keeps a touched but
 * unchanged file free.
 */
public final class GatewayFileWatcher implements Runnable {
  private static final Logger LOG = Logger.getLogger(GatewayFileWatcher.class.getName());

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
