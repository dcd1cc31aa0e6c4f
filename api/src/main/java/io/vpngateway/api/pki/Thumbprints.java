package io.vpngateway.api.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate thumbprints: the hash of the DER certificate, as uppercase hex without separators.
 * SHA-1 is what Azure shows and what its {@code revokedThumbprints} list holds; SHA-256 is the one
 * to prefer. {@link #normalize} accepts the forms users paste (colons, spaces, lowercase).
 */
public final class Thumbprints {
  private Thumbprints() {}

  private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

  public static String sha1(X509Certificate certificate) {
    return digest("SHA-1", certificate);
  }

  public static String sha256(X509Certificate certificate) {
    return digest("SHA-256", certificate);
  }

  /**
   * Uppercase hex without separators; rejects anything that is not a 40 (SHA-1) or 64 (SHA-256)
   * digit hex string once colons and whitespace are removed.
   */
  public static String normalize(String thumbprint) {
    if (thumbprint == null) {
      throw new PkiException("thumbprint is missing");
    }
    String hex = thumbprint.replaceAll("[\\s:]", "").toUpperCase(Locale.ROOT);
    if (!(hex.length() == 40 || hex.length() == 64) || !hex.matches("[0-9A-F]+")) {
      throw new PkiException(
          "thumbprint '" + thumbprint + "' is not a SHA-1 (40 hex digits) or SHA-256 (64) value");
    }
    return hex;
  }

  /** True when {@code thumbprint} (any accepted form) is this certificate's SHA-1 or SHA-256. */
  public static boolean matches(X509Certificate certificate, String thumbprint) {
    String wanted = normalize(thumbprint);
    String actual = wanted.length() == 40 ? sha1(certificate) : sha256(certificate);
    return MessageDigest.isEqual(actual.getBytes(), wanted.getBytes());
  }

  private static String digest(String algorithm, X509Certificate certificate) {
    try {
      return UPPER_HEX.formatHex(
          MessageDigest.getInstance(algorithm).digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new PkiException("cannot compute the " + algorithm + " thumbprint", e);
    }
  }
}
