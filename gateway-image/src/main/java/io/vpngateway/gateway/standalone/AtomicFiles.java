package io.vpngateway.gateway.standalone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes state files so that a running {@code vpngw serve} watching the directory never reads half
 * of one: write a temporary file with the final permissions, then rename it over the target.
 */
final class AtomicFiles {
  /** Owner read/write only: keys, tokens, secrets. */
  static final String PRIVATE = "rw-------";

  /** World-readable: certificates, CRL, the config document. */
  static final String PUBLIC = "rw-r--r--";

  private AtomicFiles() {}

  static void write(Path target, byte[] content, String permissions) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
      Files.write(temp, content);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  static void write(Path target, String content, String permissions) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8), permissions);
  }
}
