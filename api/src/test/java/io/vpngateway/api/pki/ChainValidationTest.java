package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.ExecResult;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CA's output against two independent verifiers: the JDK PKIX validator and {@code openssl
 * verify} (OpenSSL 3, which OpenVPN 2.6 links). One EC case and one RSA case (RSA keygen is slow).
 */
class ChainValidationTest {
  private static final Instant NOW = Instant.now();

  static Stream<Arguments> algorithms() {
    return Stream.of(
        Arguments.of(KeySpec.EC_P256, KeySpec.EC_P256),
        Arguments.of(KeySpec.RSA_2048, KeySpec.RSA_2048));
  }

  @ParameterizedTest(name = "CA {0}, leaves {1}")
  @MethodSource("algorithms")
  void issuedChainsValidateAndARevokedClientFailsWithTheCrl(
      KeySpec caSpec, KeySpec leafSpec, @TempDir Path dir) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("gw-" + caSpec.algorithm(), caSpec, NOW);
    IssuedCertificate server =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                "vpn.example.com",
                List.of("vpn.example.com"),
                List.of("127.0.0.1"),
                leafSpec,
                Duration.ofDays(30)),
            NOW);
    IssuedCertificate good =
        ca.issueClientCertificate(
            ClientCertificateRequest.of("good", List.of("eng"), Duration.ofDays(30), leafSpec),
            NOW);
    IssuedCertificate revoked =
        ca.issueClientCertificate(
            ClientCertificateRequest.of("revoked", List.of("eng"), Duration.ofDays(30), leafSpec),
            NOW);
    X509CRL crl =
        ca.issueCrl(
            List.of(
                new RevokedCertificate(
                    revoked.certificate().getSerialNumber(), NOW.minusSeconds(10))),
            Crls.nextNumber(java.util.Optional.empty(), NOW),
            NOW.minusSeconds(5),
            NOW.plus(Duration.ofDays(7)));

    // JDK PKIX, without and with the CRL.
    pkixValidate(ca, good.certificate(), null);
    pkixValidate(ca, server.certificate(), null);
    pkixValidate(ca, revoked.certificate(), null);
    pkixValidate(ca, good.certificate(), crl);
    var rejected =
        assertThrows(
            CertPathValidatorException.class, () -> pkixValidate(ca, revoked.certificate(), crl));
    assertEquals(CertPathValidatorException.BasicReason.REVOKED, rejected.getReason());

    // openssl verify, with the purposes OpenVPN checks.
    Prerequisites.requireBinary("openssl");
    Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    Files.writeString(dir.resolve("server.pem"), server.certificatePem());
    Files.writeString(dir.resolve("good.pem"), good.certificatePem());
    Files.writeString(dir.resolve("revoked.pem"), revoked.certificatePem());
    Files.writeString(dir.resolve("crl.pem"), Pem.encode(crl));
    assertOk(
        Commands.run(
            dir, "openssl", "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "server.pem"));
    assertOk(
        Commands.run(
            dir, "openssl", "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "good.pem"));
    assertOk(
        Commands.run(
            dir, "openssl", "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "revoked.pem"));
    assertOk(
        Commands.run(
            dir,
            "openssl",
            "verify",
            "-crl_check",
            "-CAfile",
            "ca.pem",
            "-CRLfile",
            "crl.pem",
            "-purpose",
            "sslclient",
            "good.pem"));
    var crlCheck =
        Commands.run(
            dir,
            "openssl",
            "verify",
            "-crl_check",
            "-CAfile",
            "ca.pem",
            "-CRLfile",
            "crl.pem",
            "-purpose",
            "sslclient",
            "revoked.pem");
    assertNotEquals(0, crlCheck.exitCode(), crlCheck.output());
    assertTrue(crlCheck.output().contains("certificate revoked"), crlCheck.output());
    // A client certificate must not pass as a server (remote-cert-tls server would refuse it too).
    assertNotEquals(
        0,
        Commands.run(
                dir, "openssl", "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "good.pem")
            .exitCode());

    // Thumbprints agree with openssl's fingerprints.
    assertEquals(fingerprint(dir, "-sha1", "good.pem"), good.sha1Thumbprint());
    assertEquals(fingerprint(dir, "-sha256", "good.pem"), good.sha256Thumbprint());
    var serial =
        Commands.run(dir, "openssl", "x509", "-noout", "-serial", "-in", "good.pem").output().trim();
    assertEquals("serial=" + good.serialNumberHex().toUpperCase(), serial);
    // openssl reads our PKCS#8 key and finds it matches the certificate.
    Files.writeString(dir.resolve("good.key"), good.privateKeyPem());
    assertTrue(good.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
    var pub = Commands.run(dir, "openssl", "pkey", "-in", "good.key", "-pubout");
    var certPub = Commands.run(dir, "openssl", "x509", "-in", "good.pem", "-noout", "-pubkey");
    assertOk(pub);
    assertEquals(certPub.output(), pub.output());
  }

  private static void pkixValidate(CertificateAuthority ca, X509Certificate leaf, X509CRL crl)
      throws Exception {
    var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    params.setDate(Date.from(NOW));
    if (crl == null) {
      params.setRevocationEnabled(false);
    } else {
      CertPathValidator validator = CertPathValidator.getInstance("PKIX");
      var checker = (PKIXRevocationChecker) validator.getRevocationChecker();
      checker.setOptions(
          EnumSet.of(
              PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crl))));
      params.addCertPathChecker(checker);
      validator.validate(path, params);
      return;
    }
    CertPathValidator.getInstance("PKIX").validate(path, params);
  }

  private static String fingerprint(Path dir, String digest, String file) {
    var result = Commands.run(dir, "openssl", "x509", "-noout", "-fingerprint", digest, "-in", file);
    assertOk(result);
    String line = result.output().trim();
    return line.substring(line.indexOf('=') + 1).replace(":", "");
  }

  private static void assertOk(ExecResult result) {
    assertEquals(0, result.exitCode(), result.output());
  }
}
