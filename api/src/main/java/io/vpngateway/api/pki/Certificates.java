package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/** Small facts about issued certificates: renewal timing and serial numbers. */
public final class Certificates {
  private Certificates() {}

  /**
   * When to renew: {@code renewBefore} ahead of notAfter. A {@code null} renewBefore, or one longer
   * than the lifetime, means one third of the lifetime ahead (cert-manager's default), so a short
   * certificate is not renewed in a loop.
   */
  public static Instant renewalTime(X509Certificate certificate, Duration renewBefore) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    Duration lifetime = Duration.between(notBefore, notAfter);
    Duration ahead =
        renewBefore == null || renewBefore.isNegative() || renewBefore.compareTo(lifetime) >= 0
            ? lifetime.dividedBy(3)
            : renewBefore;
    return notAfter.minus(ahead);
  }

  /** True once {@code now} has reached the {@link #renewalTime renewal time}. */
  public static boolean needsRenewal(
      X509Certificate certificate, Instant now, Duration renewBefore) {
    return !now.isBefore(renewalTime(certificate, renewBefore));
  }

  /** Serial as lowercase hex, the form {@code openssl x509 -serial} and strongSwan print. */
  public static String serialHex(X509Certificate certificate) {
    return serialHex(certificate.getSerialNumber());
  }

  public static String serialHex(BigInteger serial) {
    return HexFormat.of().formatHex(serial.toByteArray()).replaceFirst("^(00)+(?=.)", "");
  }

  /**
   * A random positive 128-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B Forum
   * asks for at least 64 random bits so serials are not predictable).
   */
  static BigInteger randomSerial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(128, random);
    } while (serial.signum() == 0);
    return serial;
  }
}
