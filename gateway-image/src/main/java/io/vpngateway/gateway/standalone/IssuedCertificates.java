package io.vpngateway.gateway.standalone;

import io.vpngateway.api.pki.Certificates;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.PkiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The record of every client certificate {@code vpngw issue} made, by ClientCertificate name: the
 * standalone counterpart of a ClientCertificate's Secret plus {@code status.previousCertificates}.
 * Issuing a name again (a renewal, a new device) does not invalidate the earlier certificate, so
 * {@code vpngw revoke NAME} must find every one of them.
 *
 * <pre>
 *   issued/NAME/SERIAL.crt    one file per certificate issued to NAME (serial in hex)
 *   issued/NAME.crt           the single-file layout of earlier versions, still read
 * </pre>
 */
final class IssuedCertificates {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Path dir;

  IssuedCertificates(Path dir) {
    this.dir = dir;
  }

  /** A name that is also a safe file name (no path, no leading dot). */
  static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  Path directory() {
    return dir;
  }

  /** Records {@code certificate} as issued to {@code name}; returns the file. */
  Path record(String name, X509Certificate certificate) throws IOException {
    requireValid(name);
    Path named = dir.resolve(name);
    Files.createDirectories(named);
    Path file = named.resolve(Certificates.serialHex(certificate) + ".crt");
    AtomicFiles.write(file, Pem.encode(certificate), AtomicFiles.PUBLIC);
    return file;
  }

  /** Whether anything was ever issued to {@code name}. */
  boolean known(String name) {
    return validName(name) && (Files.isDirectory(dir.resolve(name)) || Files.exists(legacy(name)));
  }

  /** What {@link #read} found: the certificates, and the files it could not read. */
  record Found(List<X509Certificate> certificates, List<String> unreadable) {
    /** The certificates still valid at {@code now}: expired ones need no CRL entry. */
    List<X509Certificate> unexpired(Instant now) {
      return certificates.stream().filter(c -> c.getNotAfter().toInstant().isAfter(now)).toList();
    }
  }

  /** Every certificate recorded for {@code name}. */
  Found read(String name) throws IOException {
    requireValid(name);
    List<Path> files = new ArrayList<>();
    if (Files.exists(legacy(name))) {
      files.add(legacy(name));
    }
    Path named = dir.resolve(name);
    if (Files.isDirectory(named)) {
      try (Stream<Path> listed = Files.list(named)) {
        listed
            .filter(f -> f.getFileName().toString().endsWith(".crt"))
            .sorted()
            .forEach(files::add);
      }
    }
    List<X509Certificate> certificates = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (Path file : files) {
      try {
        certificates.add(Pem.decodeCertificates(Files.readString(file)).get(0));
      } catch (IOException | PkiException | IndexOutOfBoundsException e) {
        unreadable.add(file + " (" + e.getMessage() + ")");
      }
    }
    return new Found(certificates, unreadable);
  }

  private Path legacy(String name) {
    return dir.resolve(name + ".crt");
  }

  private static void requireValid(String name) {
    if (!validName(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a valid certificate name");
    }
  }
}
