package io.vpngateway.gateway.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone state directory: revoking a name revokes every unexpired certificate it was
 * issued, modes are kept private, changes are serialised between threads and processes, and
 * unchanged material is kept.
 */
class StateDirectoryTest {
  @TempDir Path tmp;

  private static IssuedCertificate issue(
      CertificateAuthority ca, String cn, Instant at, Duration validity) {
    return ca.issueClientCertificate(
        ClientCertificateRequest.of(cn, List.of("engineering"), validity, KeySpec.EC_P256), at);
  }

  private static X509CRL crl(Path state) throws Exception {
    return new ConfigDirectoryLoader().load(state).crl().orElseThrow();
  }

  private static Set<BigInteger> serials(IssuedCertificate... certificates) {
    return Stream.of(certificates)
        .map(c -> c.certificate().getSerialNumber())
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void revokeListsEveryUnexpiredCertificateIssuedToTheNameInOneWrite() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    CertificateAuthority ca = state.certificateAuthority();
    Instant now = Instant.now();
    IssuedCertificate expired =
        issue(ca, "alice", now.minus(Duration.ofDays(40)), Duration.ofDays(30));
    IssuedCertificate older =
        issue(ca, "alice", now.minus(Duration.ofDays(10)), Duration.ofDays(365));
    IssuedCertificate latest = issue(ca, "alice", now, Duration.ofDays(365));
    IssuedCertificate bob = issue(ca, "bob", now, Duration.ofDays(365));
    for (IssuedCertificate c : List.of(expired, older, latest)) {
      state.recordIssued("alice", c);
    }
    state.recordIssued("bob", bob);
    // the single-file layout of earlier versions is still read
    IssuedCertificate legacy =
        issue(ca, "alice", now.minus(Duration.ofDays(20)), Duration.ofDays(365));
    Files.writeString(dir.resolve("issued/alice.crt"), legacy.certificatePem());
    byte[] crlBefore = Files.readAllBytes(dir.resolve("crl.pem"));

    StateDirectory.Revocation first = state.revokeIssued("alice", now);

    assertEquals(serials(older, latest, legacy), Set.copyOf(first.revoked()));
    assertEquals(List.of(), first.alreadyRevoked());
    assertEquals(1, first.expired());
    X509CRL crl = crl(dir);
    assertEquals(3, crl.getRevokedCertificates().size(), "one CRL with all three; " + crl);
    for (IssuedCertificate c : List.of(older, latest, legacy)) {
      assertTrue(crl.isRevoked(c.certificate()), c.serialNumberHex());
    }
    assertFalse(crl.isRevoked(bob.certificate()), "another name is untouched");
    assertFalse(crl.isRevoked(expired.certificate()), "an expired certificate needs no entry");
    assertFalse(java.util.Arrays.equals(crlBefore, Files.readAllBytes(dir.resolve("crl.pem"))));

    byte[] crlAfter = Files.readAllBytes(dir.resolve("crl.pem"));
    StateDirectory.Revocation again = state.revokeIssued("alice", now.plusSeconds(1));
    assertEquals(List.of(), again.revoked());
    assertEquals(serials(older, latest, legacy), Set.copyOf(again.alreadyRevoked()));
    assertArrayEquals(
        crlAfter, Files.readAllBytes(dir.resolve("crl.pem")), "nothing new, no write");

    // alice issued once more after the revocation: only the new one is added
    IssuedCertificate reissued = issue(ca, "alice", now.plusSeconds(2), Duration.ofDays(365));
    state.recordIssued("alice", reissued);
    StateDirectory.Revocation third = state.revokeIssued("alice", now.plusSeconds(3));
    assertEquals(List.of(reissued.certificate().getSerialNumber()), third.revoked());
    assertTrue(crl(dir).isRevoked(reissued.certificate()));
    assertTrue(crl(dir).isRevoked(older.certificate()), "earlier entries stay");

    StandaloneException unknown =
        assertThrows(StandaloneException.class, () -> state.revokeIssued("carol", now));
    assertTrue(unknown.getMessage().contains("no client certificate named 'carol'"));
    assertThrows(StandaloneException.class, () -> state.revokeIssued("../alice", now));
  }

  @Test
  void anUnreadableRecordIsReportedAfterTheReadableOnesAreRevoked() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    IssuedCertificate good =
        issue(state.certificateAuthority(), "alice", Instant.now(), Duration.ofDays(365));
    state.recordIssued("alice", good);
    Files.writeString(dir.resolve("issued/alice/DEAD.crt"), "not a certificate");

    StandaloneException e =
        assertThrows(StandaloneException.class, () -> state.revokeIssued("alice", Instant.now()));

    assertTrue(e.getMessage().contains("DEAD.crt"), e.getMessage());
    assertTrue(e.getMessage().contains("NOT revoked"), e.getMessage());
    assertTrue(crl(dir).isRevoked(good.certificate()), "the readable one is revoked anyway");
  }

  @Test
  void aNewDirectoryIsPrivateAndAWiderOneIsNarrowedOnOpen() throws Exception {
    Path dir = tmp.resolve("state");
    GatewayFixture.preparedState(dir);
    assertEquals("rwx------", mode(dir));
    assertEquals("rwx------", mode(dir.resolve("issued")));
    for (String secret :
        List.of(
            "ca.key",
            "server.key",
            "tls-crypt-v2-server.key",
            "auth-token.key",
            "management.token")) {
      assertEquals("rw-------", mode(dir.resolve(secret)), secret);
    }
    assertEquals("rw-r--r--", mode(dir.resolve("ca.crt")), "certificates stay readable");

    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        dir.resolve("issued"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(
        dir.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(
        dir.resolve("management.token"), PosixFilePermissions.fromString("rw-rw----"));
    Files.setPosixFilePermissions(
        dir.resolve("ca.crt"), PosixFilePermissions.fromString("rw-r--r--"));

    StateDirectory.open(dir);

    assertEquals("rwx------", mode(dir));
    assertEquals("rwx------", mode(dir.resolve("issued")));
    assertEquals("rw-------", mode(dir.resolve("ca.key")));
    assertEquals("rw-------", mode(dir.resolve("management.token")));
    assertEquals("rw-r--r--", mode(dir.resolve("ca.crt")), "a certificate is not a secret");
  }

  @Test
  void readingTheConfigChangesNothing() throws Exception {
    Path dir = tmp.resolve("state");
    GatewayFixture.preparedState(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertEquals("minimal", StateDirectory.readConfig(dir).gateway().name());
      assertEquals("r-xr-xr-x", mode(dir));
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void revocationsSurviveConcurrentCrlRefreshesAndEachOther() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    CertificateAuthority ca = state.certificateAuthority();
    List<IssuedCertificate> clients = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      clients.add(issue(ca, "c" + i, Instant.now(), Duration.ofDays(365)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        IssuedCertificate c = clients.get(i);
        // a second StateDirectory object, as a second command would open it
        StateDirectory other = StateDirectory.open(dir);
        work.add(
            pool.submit(() -> other.revoke(ca, c.certificate().getSerialNumber(), Instant.now())));
        // a refresh that is due (20 days on): it re-signs from what it reads
        Instant later = Instant.now().plus(Duration.ofDays(20 + i));
        work.add(
            pool.submit(
                () -> {
                  state.refreshCrl(later);
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    X509CRL crl = crl(dir);
    for (IssuedCertificate c : clients) {
      assertTrue(crl.isRevoked(c.certificate()), "lost " + c.serialNumberHex());
    }
  }

  @Test
  void anotherProcessWaitsForTheLockBeforeItChangesTheCrl() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    IssuedCertificate alice =
        issue(state.certificateAuthority(), "alice", Instant.now(), Duration.ofDays(365));
    state.recordIssued("alice", alice);
    byte[] before = Files.readAllBytes(dir.resolve("crl.pem"));
    Process revoke;
    try (StateLock lock = StateLock.acquire(dir)) {
      revoke =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  io.vpngateway.testing.NetnsLab.testClasspath(),
                  "io.vpngateway.gateway.cli.Vpngw",
                  "revoke",
                  "alice",
                  "--state-dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("revoke.log").toFile())
              .start();
      try {
        // the child has the lock file open: it is at (or in) its lock call
        await().atMost(Duration.ofSeconds(60)).until(() -> holdsOpen(revoke.pid(), dir));
        assertFalse(revoke.waitFor(1, TimeUnit.SECONDS), "it waits while we hold the lock");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("crl.pem")));
      } catch (AssertionError | RuntimeException e) {
        revoke.destroyForcibly();
        throw e;
      }
    }
    assertTrue(revoke.waitFor(60, TimeUnit.SECONDS), "it finishes once the lock is free");
    assertEquals(0, revoke.exitValue(), Files.readString(tmp.resolve("revoke.log")));
    assertTrue(crl(dir).isRevoked(alice.certificate()));
  }

  @Test
  void unchangedMaterialIsKeptAndANewEndpointReIssuesTheServerCertificate() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    byte[] server = Files.readAllBytes(dir.resolve("server.crt"));
    byte[] crl = Files.readAllBytes(dir.resolve("crl.pem"));
    byte[] token = Files.readAllBytes(dir.resolve("management.token"));
    byte[] authKey = Files.readAllBytes(dir.resolve("auth-token.key"));

    state.prepare(GatewayFixture.minimalGateway(), List.of("127.0.0.1"), Instant.now());
    assertArrayEquals(server, Files.readAllBytes(dir.resolve("server.crt")));
    assertArrayEquals(crl, Files.readAllBytes(dir.resolve("crl.pem")));
    assertArrayEquals(token, Files.readAllBytes(dir.resolve("management.token")));
    assertArrayEquals(authKey, Files.readAllBytes(dir.resolve("auth-token.key")));

    state.prepare(
        GatewayFixture.minimalGateway(), List.of("127.0.0.1", "vpn.example.com"), Instant.now());
    byte[] reissued = Files.readAllBytes(dir.resolve("server.crt"));
    assertNotEquals(new String(server), new String(reissued));
    assertTrue(
        Pem.decodeCertificate(new String(reissued)).getSubjectAlternativeNames().stream()
            .anyMatch(san -> san.get(1).equals("vpn.example.com")));
    assertArrayEquals(token, Files.readAllBytes(dir.resolve("management.token")));
  }

  @Test
  void theManagementApiGetsACertificateOfTheCaNamingTheGatewayAndLoopback() throws Exception {
    Path dir = tmp.resolve("state");
    StateDirectory state = GatewayFixture.preparedState(dir);
    var config = state.config();
    byte[] pem = Files.readAllBytes(dir.resolve(config.files().managementCertificate()));
    java.security.cert.X509Certificate cert = Pem.decodeCertificate(new String(pem));
    cert.verify(state.certificateAuthority().certificate().getPublicKey());
    Set<String> sans = io.vpngateway.api.pki.ServerNames.sansOf(cert);
    assertTrue(
        sans.containsAll(
            Set.of(
                "DNS:"
                    + io.vpngateway.api.pki.ManagementTls.identity(
                        config.gateway().namespace(), config.gateway().name()),
                "DNS:localhost",
                "IP:127.0.0.1")),
        sans.toString());
    assertEquals("rw-------", mode(dir.resolve(config.files().managementKey())));
    // loaded by the gateway's own loader: the key matches and the CA issued it
    assertTrue(new ConfigDirectoryLoader().load(dir).managementTls().isPresent());

    state.prepare(GatewayFixture.minimalGateway(), List.of("127.0.0.1"), Instant.now());
    assertArrayEquals(pem, Files.readAllBytes(dir.resolve(config.files().managementCertificate())));
    // due for renewal (within 30 days of notAfter): the periodic refresh issues a new one
    state.refreshCrl(cert.getNotAfter().toInstant().minus(Duration.ofDays(10)));
    assertNotEquals(
        new String(pem),
        Files.readString(dir.resolve(config.files().managementCertificate())));
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** Whether process {@code pid} has the state directory's lock file open. */
  private static boolean holdsOpen(long pid, Path dir) throws IOException {
    Path lock = dir.toRealPath().resolve(StateLock.FILE);
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.anyMatch(
          fd -> {
            try {
              return Files.readSymbolicLink(fd).equals(lock);
            } catch (IOException e) {
              return false;
            }
          });
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }
}
