package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/** One CRL entry: the serial of a revoked certificate and when it was revoked. */
public record RevokedCertificate(BigInteger serialNumber, Instant revokedAt) {
  public RevokedCertificate {
    Objects.requireNonNull(serialNumber, "serialNumber");
    Objects.requireNonNull(revokedAt, "revokedAt");
    if (serialNumber.signum() <= 0) {
      throw new PkiException("certificate serial numbers are positive, got " + serialNumber);
    }
  }

  /** Parses a serial given in hex, with or without colons (as {@code openssl x509 -serial}). */
  public static RevokedCertificate ofHex(String serialHex, Instant revokedAt) {
    String hex = serialHex.replace(":", "").trim();
    try {
      return new RevokedCertificate(new BigInteger(hex, 16), revokedAt);
    } catch (NumberFormatException e) {
      throw new PkiException("serial number '" + serialHex + "' is not hex");
    }
  }
}
