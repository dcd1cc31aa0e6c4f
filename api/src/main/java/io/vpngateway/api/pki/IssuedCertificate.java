package io.vpngateway.api.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A certificate the CA issued, its private key and the CA certificate, with the encodings the
 * output Secret ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) and the CR status need.
 */
public record IssuedCertificate(
    X509Certificate certificate, PrivateKey privateKey, X509Certificate caCertificate) {

  public IssuedCertificate {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caCertificate, "caCertificate");
  }

  /** Reads back a certificate, key and CA from their PEM text, e.g. from an existing Secret. */
  public static IssuedCertificate fromPem(
      String certificatePem, String privateKeyPem, String caPem) {
    X509Certificate certificate = Pem.decodeCertificates(certificatePem).get(0);
    PrivateKey key = Pem.decodePrivateKey(privateKeyPem);
    if (!KeyPairs.matches(key, certificate.getPublicKey())) {
      throw new PkiException(
          "the private key does not belong to " + certificate.getSubjectX500Principal());
    }
    return new IssuedCertificate(certificate, key, Pem.decodeCertificate(caPem));
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  /** Unencrypted PKCS#8. */
  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  public String caCertificatePem() {
    return Pem.encode(caCertificate);
  }

  public String serialNumberHex() {
    return Certificates.serialHex(certificate);
  }

  public String sha1Thumbprint() {
    return Thumbprints.sha1(certificate);
  }

  public String sha256Thumbprint() {
    return Thumbprints.sha256(certificate);
  }

  public Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  public Instant renewalTime(Duration renewBefore) {
    return Certificates.renewalTime(certificate, renewBefore);
  }

  public boolean needsRenewal(Instant now, Duration renewBefore) {
    return Certificates.needsRenewal(certificate, now, renewBefore);
  }

  /** A PKCS#12 bundle (key, certificate, CA) under a fresh random password. */
  public Pkcs12Bundle toPkcs12(String friendlyName) {
    return Pkcs12.bundle(friendlyName, privateKey, certificate, List.of(caCertificate));
  }

  /** Identifies the certificate; never prints the private key. */
  @Override
  public String toString() {
    return "IssuedCertificate["
        + certificate.getSubjectX500Principal().getName()
        + ", serial "
        + serialNumberHex()
        + ", notAfter "
        + notAfter()
        + "]";
  }
}
