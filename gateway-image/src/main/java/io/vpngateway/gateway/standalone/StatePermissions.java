package io.vpngateway.gateway.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Keeps a state directory private: the directory (and {@code issued/}) mode 0700, every file with a
 * key or secret 0600. The directory holds the CA key; a group- or world-readable one lets any local
 * user mint client certificates. A wider mode found on an existing directory or file is narrowed
 * with one log line; one that cannot be narrowed (another owner) is an error.
 */
final class StatePermissions {
  private static final Logger LOG = Logger.getLogger(StatePermissions.class.getName());

  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> SECRET =
      PosixFilePermissions.fromString(AtomicFiles.PRIVATE);

  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private StatePermissions() {}

  /** Creates {@code dir} mode 0700, or narrows an existing one to 0700. */
  static void directory(Path dir) throws StandaloneException {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
      }
      if (!Files.isDirectory(dir)) {
        throw new StandaloneException(dir + " is not a directory; pass --state-dir a directory");
      }
    } catch (IOException e) {
      throw new StandaloneException(
          "cannot create the state directory " + dir + ": " + e.getMessage(), e);
    }
    narrow(dir, DIRECTORY, "directory");
  }

  /** Narrows {@code file}, when it exists, to 0600. */
  static void secretFile(Path file) throws StandaloneException {
    if (Files.isRegularFile(file)) {
      narrow(file, SECRET, "key file");
    }
  }

  private static void narrow(Path path, Set<PosixFilePermission> wanted, String what)
      throws StandaloneException {
    Set<PosixFilePermission> actual;
    try {
      actual = Files.getPosixFilePermissions(path);
    } catch (IOException e) {
      throw new StandaloneException("cannot read the mode of " + path + ": " + e.getMessage(), e);
    }
    if (actual.stream().noneMatch(GROUP_OR_OTHER::contains) && actual.containsAll(wanted)) {
      return;
    }
    try {
      Files.setPosixFilePermissions(path, wanted);
    } catch (IOException e) {
      throw new StandaloneException(
          "the state "
              + what
              + " "
              + path
              + " is mode "
              + PosixFilePermissions.toString(actual)
              + " and cannot be changed to "
              + PosixFilePermissions.toString(wanted)
              + " ("
              + e.getMessage()
              + "); run as its owner or chmod it",
          e);
    }
    if (actual.stream().anyMatch(GROUP_OR_OTHER::contains)) {
      LOG.warning(
          "the state "
              + what
              + " "
              + path
              + " was mode "
              + PosixFilePermissions.toString(actual)
              + "; set to "
              + PosixFilePermissions.toString(wanted));
    }
  }
}
