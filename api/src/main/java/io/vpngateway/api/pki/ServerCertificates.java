package io.vpngateway.api.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Renewal of a gateway's server certificate, the one rule the operator (the server TLS Secret) and
 * {@code vpngw} standalone (the state directory's {@code server.crt}) both follow: the existing
 * certificate and key are kept byte for byte while they are usable, so an unchanged gateway writes
 * nothing; otherwise a new key and certificate are issued.
 */
public final class ServerCertificates {
  /** Renew this long before notAfter unless the caller says otherwise. */
  public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(30);

  private ServerCertificates() {}

  /** A server certificate and its key, as PEM. */
  public record ServerTls(String certificatePem, String keyPem) {
    /** The certificate, or empty when the PEM does not hold one. */
    public Optional<X509Certificate> certificate() {
      try {
        return Optional.of(Pem.decodeCertificates(certificatePem).get(0));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * {@code existing} while it is {@link #reusable reusable} for {@code wanted}, else a new
   * certificate and key issued by {@code ca} for {@code wanted}.
   */
  public static ServerTls keepOrIssue(
      CertificateAuthority ca,
      Optional<ServerTls> existing,
      ServerCertificateRequest wanted,
      Duration renewBefore,
      Instant now) {
    if (existing.isPresent() && reusable(ca, existing.get(), wanted, renewBefore, now)) {
      return existing.get();
    }
    IssuedCertificate issued = ca.issueServerCertificate(wanted, now);
    return new ServerTls(issued.certificatePem(), issued.privateKeyPem());
  }

  /**
   * Whether {@code existing} can stay: both PEMs parse, {@code ca} signed the certificate, the key
   * belongs to it, it is not due for renewal ({@link Certificates#needsRenewal}), its SANs are
   * exactly the wanted names and addresses (a new endpoint must be in the certificate before
   * clients dial it; a dropped one must not stay valid) and its CN is the wanted one (IKEv2 clients
   * such as strongSwan match the identity they are given, often the CN, among the SANs). The key
   * type is not compared: a profile names the certificate actually served.
   */
  public static boolean reusable(
      CertificateAuthority ca,
      ServerTls existing,
      ServerCertificateRequest wanted,
      Duration renewBefore,
      Instant now) {
    Optional<X509Certificate> certificate = existing.certificate();
    if (certificate.isEmpty()) {
      return false;
    }
    X509Certificate cert = certificate.get();
    if (!ca.signed(cert)
        || Certificates.needsRenewal(cert, now, renewBefore)
        || !new ServerNames(wanted.dnsNames(), wanted.ipAddresses()).matches(cert)
        || !ClientCertificates.commonNameOf(cert).orElse("").equals(wanted.commonName())) {
      return false;
    }
    try {
      PrivateKey key = Pem.decodePrivateKey(existing.keyPem());
      return KeyPairs.matches(key, cert.getPublicKey());
    } catch (RuntimeException e) {
      return false;
    }
  }
}
