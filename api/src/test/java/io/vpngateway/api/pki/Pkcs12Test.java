package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.Commands;
import io.vpngateway.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs12Test {
  private static final Instant NOW = Instant.now();
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw-p12", KeySpec.EC_P256, NOW);
  private static final IssuedCertificate CLIENT =
      CA.issueClientCertificate(
          ClientCertificateRequest.of(
              "alice", List.of("eng"), Duration.ofDays(30), KeySpec.EC_P256),
          NOW);

  @Test
  void jdkKeyStoreOpensTheBundle() throws Exception {
    Pkcs12Bundle bundle = CLIENT.toPkcs12("alice");
    assertEquals(24, bundle.password().length());
    assertTrue(bundle.password().matches("[A-Za-z2-9]+"));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(new ByteArrayInputStream(bundle.der()), bundle.password().toCharArray());
    assertTrue(
        store.isKeyEntry("alice"), "aliases: " + java.util.Collections.list(store.aliases()));
    PrivateKey key = (PrivateKey) store.getKey("alice", bundle.password().toCharArray());
    assertArrayEquals(CLIENT.privateKey().getEncoded(), key.getEncoded());
    Certificate[] chain = store.getCertificateChain("alice");
    assertEquals(List.of(CLIENT.certificate(), CA.certificate()), List.of(chain));

    KeyStore wrong = KeyStore.getInstance("PKCS12");
    assertThrows(
        java.io.IOException.class,
        () -> wrong.load(new ByteArrayInputStream(bundle.der()), "wrong".toCharArray()));
    assertTrue(
        bundle.toString().contains("redacted") && !bundle.toString().contains(bundle.password()));
  }

  @Test
  void opensslReadsTheBundleAndSeesTheModernAlgorithms(@TempDir Path dir) throws Exception {
    Prerequisites.requireBinary("openssl");
    Pkcs12Bundle bundle = CLIENT.toPkcs12("alice");
    Files.write(dir.resolve("alice.p12"), bundle.der());
    var info =
        Commands.run(
            dir,
            "openssl",
            "pkcs12",
            "-in",
            "alice.p12",
            "-info",
            "-noout",
            "-passin",
            "pass:" + bundle.password());
    assertEquals(0, info.exitCode(), info.output());
    String out = info.output();
    assertTrue(out.contains("MAC: sha256, Iteration 2048"), out);
    // macOS keychain imports only 8-byte salts (OpenSSL 3 default shape).
    assertTrue(out.contains("MAC length: 32, salt length: 8"), out);
    assertTrue(
        out.contains(
            "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"),
        out);
    assertTrue(
        out.contains(
            "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"),
        out);

    var dump =
        Commands.run(
            dir,
            "openssl",
            "pkcs12",
            "-in",
            "alice.p12",
            "-noenc",
            "-passin",
            "pass:" + bundle.password());
    assertEquals(0, dump.exitCode(), dump.output());
    assertTrue(dump.output().contains("friendlyName: alice"), dump.output());
    assertTrue(dump.output().contains("-----BEGIN PRIVATE KEY-----"), dump.output());
    assertTrue(
        dump.output().contains(CLIENT.certificatePem().strip()), "leaf certificate in the dump");
    assertTrue(dump.output().contains(CA.certificatePem().strip()), "CA certificate in the dump");

    var wrong =
        Commands.run(dir, "openssl", "pkcs12", "-in", "alice.p12", "-noenc", "-passin", "pass:nope");
    assertTrue(
        wrong.exitCode() != 0 && wrong.output().contains("Mac verify error"), wrong.output());
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefused() {
    var other = KeyPairs.generate(KeySpec.EC_P256, new java.security.SecureRandom());
    assertThrows(
        PkiException.class,
        () ->
            Pkcs12.encode(
                "x", other.getPrivate(), CLIENT.certificate(), List.of(), "pw".toCharArray()));
  }
}
