package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.Secret;
import io.vpngateway.api.pki.Certificates;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.profile.ClientSecretData;
import io.vpngateway.api.v1alpha1.ClientCertificateStatus;
import io.vpngateway.api.v1alpha1.PreviousCertificate;
import io.vpngateway.operator.support.SecretData;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every certificate a ClientCertificate was issued that may still be in use: the one in its Secret,
 * the one its status describes (they differ when a status write was lost or the Secret was
 * deleted) and {@code status.previousCertificates}. A new certificate never invalidates the old one
 * by itself, so revoking a ClientCertificate must list all of these, not only the newest. Expired
 * certificates are dropped: a gateway rejects them without a CRL entry.
 */
final class KnownCertificates {
  /** A certificate's serial and expiry. */
  record Known(BigInteger serial, Instant notAfter) {}

  private KnownCertificates() {}

  static List<Known> of(ClientCertificateStatus status, Optional<Secret> secret, Instant now) {
    Map<BigInteger, Known> known = new LinkedHashMap<>();
    secret
        .flatMap(s -> SecretData.get(s, ClientSecretData.CERTIFICATE))
        .flatMap(KnownCertificates::decode)
        .ifPresent(c -> add(known, new Known(c.getSerialNumber(), c.getNotAfter().toInstant())));
    if (status != null) {
      parse(status.serialNumber, status.notAfter).ifPresent(k -> add(known, k));
      for (PreviousCertificate p : status.previousCertificates) {
        parse(p.serialNumber, p.notAfter).ifPresent(k -> add(known, k));
      }
    }
    List<Known> unexpired = new ArrayList<>();
    for (Known k : known.values()) {
      if (k.notAfter().isAfter(now)) {
        unexpired.add(k);
      }
    }
    return unexpired;
  }

  /** The status entries for {@code known} apart from {@code current}. */
  static List<PreviousCertificate> previous(List<Known> known, BigInteger current) {
    List<PreviousCertificate> previous = new ArrayList<>();
    for (Known k : known) {
      if (!k.serial().equals(current)) {
        previous.add(
            new PreviousCertificate(
                Certificates.serialHex(k.serial()),
                k.notAfter().equals(Instant.MAX)
                    ? null
                    : k.notAfter().truncatedTo(ChronoUnit.SECONDS).toString()));
      }
    }
    return previous;
  }

  static List<BigInteger> serials(List<Known> known) {
    return known.stream().map(Known::serial).toList();
  }

  private static void add(Map<BigInteger, Known> known, Known k) {
    known.putIfAbsent(k.serial(), k);
  }

  /** A status entry; one without a readable expiry is kept (revoking too much is the safe side). */
  private static Optional<Known> parse(String serialHex, String notAfter) {
    if (serialHex == null || serialHex.isBlank()) {
      return Optional.empty();
    }
    try {
      BigInteger serial = new BigInteger(serialHex.replace(":", ""), 16);
      Instant expiry = notAfter == null ? Instant.MAX : Instant.parse(notAfter);
      return Optional.of(new Known(serial, expiry));
    } catch (NumberFormatException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<X509Certificate> decode(String pem) {
    try {
      return Optional.of(Pem.decodeCertificate(pem));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
