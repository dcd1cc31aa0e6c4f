package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemAndFilesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw-pem", KeySpec.EC_P256, NOW);

  @Test
  void opensslTraditionalKeysLoadAndBringYourOwnCaWorks(@TempDir Path dir) throws Exception {
    Prerequisites.requireBinary("openssl");
    // A CA made with openssl, its key in the traditional "BEGIN EC PRIVATE KEY" form.
    var gen =
        Commands.run(
            dir,
            "openssl",
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key");
    assertEquals(0, gen.exitCode(), gen.output());
    var req =
        Commands.run(
            dir,
            "openssl",
            "req",
            "-x509",
            "-key",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "30",
            "-subj",
            "/CN=Enterprise Root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign");
    assertEquals(0, req.exitCode(), req.output());
    String keyPem = Files.readString(dir.resolve("ca.key"));
    assertTrue(keyPem.startsWith("-----BEGIN EC PRIVATE KEY-----"));

    CertificateAuthority byo =
        CertificateAuthority.fromPem(Files.readString(dir.resolve("ca.crt")), keyPem);
    IssuedCertificate client =
        byo.issueClientCertificate(
            ClientCertificateRequest.of(
                "alice", List.of("eng"), Duration.ofDays(1), KeySpec.EC_P256),
            Instant.now());
    Files.writeString(dir.resolve("alice.crt"), client.certificatePem());
    var verify =
        Commands.run(
            dir, "openssl", "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "alice.crt");
    assertEquals(0, verify.exitCode(), verify.output());
    // The re-encoded CA key is PKCS#8 now.
    assertTrue(byo.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));

    var rsa = Commands.run(dir, "openssl", "genrsa", "-traditional", "-out", "rsa.key", "2048");
    assertEquals(0, rsa.exitCode(), rsa.output());
    var rsaKey = Pem.decodePrivateKey(Files.readString(dir.resolve("rsa.key")));
    assertEquals(KeySpec.RSA_2048, KeySpec.of(rsaKey));
    // Reuse with rotationPolicy Never works for RSA keys read back from PEM (public key derived).
    IssuedCertificate reused =
        CA.issueClientCertificate(
            ClientCertificateRequest.of("rsa-user", List.of(), Duration.ofDays(1), KeySpec.RSA_2048)
                .withPreviousKey(RotationPolicy.NEVER, rsaKey),
            NOW);
    assertTrue(KeyPairs.matches(rsaKey, reused.certificate().getPublicKey()));
    assertTrue(reused.certificate().getKeyUsage()[2], "keyEncipherment for RSA leaves");
    assertEquals("SHA256withECDSA", reused.certificate().getSigAlgName(), "signed by the EC CA");
    String privateExponent =
        ((java.security.interfaces.RSAPrivateKey) rsaKey).getPrivateExponent().toString();
    String requestText =
        ClientCertificateRequest.of("x", List.of(), Duration.ofDays(1), KeySpec.RSA_2048)
            .withPreviousKey(RotationPolicy.NEVER, rsaKey)
            .toString();
    assertTrue(requestText.contains("<redacted>") && !requestText.contains(privateExponent));
    assertFalse(reused.toString().contains(privateExponent));

    var encrypted =
        Commands.run(
            dir,
            "openssl",
            "pkey",
            "-in",
            "ca.key",
            "-aes256",
            "-passout",
            "pass:x",
            "-out",
            "enc.key");
    assertEquals(0, encrypted.exitCode(), encrypted.output());
    var error =
        assertThrows(
            PkiException.class,
            () -> Pem.decodePrivateKey(Files.readString(dir.resolve("enc.key"))));
    assertTrue(error.getMessage().contains("encrypted"), error.getMessage());
  }

  @Test
  void pemRoundTripsAndRejectsTheWrongKind() {
    String bundle = Pem.encode(List.of(CA.certificate(), CA.certificate()));
    assertEquals(2, Pem.decodeCertificates(bundle).size());
    assertThrows(PkiException.class, () -> Pem.decodeCertificate(bundle));
    assertThrows(PkiException.class, () -> Pem.decodeCertificate(CA.privateKeyPem()));
    assertThrows(PkiException.class, () -> Pem.decodePrivateKey(CA.certificatePem()));
    assertThrows(
        PkiException.class, () -> Pem.decodeCertificate("-----BEGIN CERTIFICATE-----\n!!\n"));
    assertThrows(PkiException.class, () -> Pem.decodeCrl(CA.certificatePem()));
    assertArrayEquals(
        CA.certificate().getPublicKey().getEncoded(),
        Pem.decodeCertificate("leading text is ignored\n" + CA.certificatePem())
            .getPublicKey()
            .getEncoded());
    String pem = CA.certificatePem();
    assertFalse(pem.contains("\r"));
    assertTrue(pem.lines().allMatch(l -> l.length() <= 64));
  }

  @Test
  void thumbprintsNormalizeAndMatch() {
    String sha1 = Thumbprints.sha1(CA.certificate());
    String sha256 = Thumbprints.sha256(CA.certificate());
    assertTrue(sha1.matches("[0-9A-F]{40}") && sha256.matches("[0-9A-F]{64}"));
    String colons = String.join(":", sha1.toLowerCase().split("(?<=\\G..)"));
    assertEquals(sha1, Thumbprints.normalize(colons));
    assertTrue(Thumbprints.matches(CA.certificate(), " " + sha256.toLowerCase() + " "));
    assertTrue(Thumbprints.matches(CA.certificate(), colons));
    assertFalse(Thumbprints.matches(CA.certificate(), "00".repeat(20)));
    assertThrows(PkiException.class, () -> Thumbprints.normalize("abc"));
    assertThrows(PkiException.class, () -> Thumbprints.normalize("Z".repeat(40)));
  }

  @Test
  void caFilesAreCreatedOnceThenLoadedAndHalfAStoreIsAnError(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    CertificateAuthority created =
        CertificateAuthorityFiles.loadOrCreate(state, "gw-files", KeySpec.EC_P256, NOW);
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("ca.key"))));
    CertificateAuthority loaded =
        CertificateAuthorityFiles.loadOrCreate(state, "gw-files", KeySpec.EC_P256, NOW);
    assertEquals(created.certificate(), loaded.certificate());
    try (var files = Files.list(state)) {
      assertEquals(
          List.of("ca.crt", "ca.key"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }

    Files.delete(state.resolve("ca.key"));
    var error =
        assertThrows(
            PkiException.class,
            () -> CertificateAuthorityFiles.loadOrCreate(state, "gw-files", KeySpec.EC_P256, NOW));
    assertTrue(error.getMessage().contains("refusing to create a new CA"), error.getMessage());
    assertEquals(created.certificatePem(), Files.readString(state.resolve("ca.crt")), "untouched");

    Files.writeString(state.resolve("ca.key"), "not a key");
    assertThrows(
        PkiException.class,
        () -> CertificateAuthorityFiles.loadOrCreate(state, "gw-files", KeySpec.EC_P256, NOW));
  }
}
