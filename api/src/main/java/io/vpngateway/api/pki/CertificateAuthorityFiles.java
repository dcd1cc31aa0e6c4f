package io.vpngateway.api.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * A CA kept as {@code ca.crt} + {@code ca.key} (PKCS#8) in a directory, as the standalone gateway's
 * {@code --state-dir} holds it. A CA is created only when neither file exists; one file without the
 * other is an error, never a reason to start over, because every issued client would break.
 */
public final class CertificateAuthorityFiles {
  private CertificateAuthorityFiles() {}

  public static final String CERTIFICATE_FILE = "ca.crt";
  public static final String PRIVATE_KEY_FILE = "ca.key";

  /** Loads the CA in {@code directory}, or creates and stores one when the directory has none. */
  public static CertificateAuthority loadOrCreate(
      Path directory, String gatewayName, KeySpec keySpec, Instant now) {
    Path certificateFile = directory.resolve(CERTIFICATE_FILE);
    Path keyFile = directory.resolve(PRIVATE_KEY_FILE);
    boolean hasCertificate = Files.exists(certificateFile);
    boolean hasKey = Files.exists(keyFile);
    try {
      if (hasCertificate && hasKey) {
        return CertificateAuthority.fromPem(
            Files.readString(certificateFile), Files.readString(keyFile));
      }
      if (hasCertificate || hasKey) {
        throw new PkiException(
            "found "
                + (hasCertificate ? certificateFile : keyFile)
                + " without "
                + (hasCertificate ? keyFile : certificateFile)
                + "; refusing to create a new CA over it (restore the missing file or remove"
                + " both)");
      }
      Files.createDirectories(directory);
      CertificateAuthority ca = CertificateAuthority.create(gatewayName, keySpec, now);
      // Key first, so a crash in between leaves "key without cert" (an error), never a cert
      // that clients would trust with no key to sign for it.
      writeNew(keyFile, ca.privateKeyPem(), "rw-------");
      writeNew(certificateFile, ca.certificatePem(), "rw-r--r--");
      return ca;
    } catch (IOException e) {
      throw new PkiException(
          "cannot read or write the CA in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes via a temp file and an atomic, non-replacing link so a reader never sees half a file.
   */
  static void writeNew(Path target, String content, String permissions) throws IOException {
    // createTempFile makes the file 0600 before any byte of the key is written.
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        throw new PkiException(
            target + " appeared while the CA was being created; not overwriting it");
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
