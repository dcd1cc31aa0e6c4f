package io.vpngateway.api.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.ServerCertificates.ServerTls;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Server-certificate renewal and SAN comparison, shared by the operator and standalone. */
class ServerCertificatesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final CertificateAuthority CA =
      CertificateAuthority.create("gw1", KeySpec.EC_P256, NOW.minus(Duration.ofDays(1)));
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final ServerNames NAMES =
      ServerNames.of(List.of("vpn.example.com", "192.0.2.10", "2001:db8::1"));

  private static ServerCertificateRequest request(ServerNames names) {
    return new ServerCertificateRequest(
        "vpn.example.com",
        names.dnsNames(),
        names.ipAddresses(),
        KeySpec.EC_P256,
        Duration.ofDays(90));
  }

  private static ServerTls issued() {
    return ServerCertificates.keepOrIssue(CA, Optional.empty(), request(NAMES), RENEW_BEFORE, NOW);
  }

  @Test
  void endpointsSortIntoDnsNamesAndAddresses() {
    assertEquals(List.of("vpn.example.com"), NAMES.dnsNames());
    assertEquals(List.of("192.0.2.10", "2001:db8::1"), NAMES.ipAddresses());
    assertEquals(
        Set.of("DNS:vpn.example.com", "IP:192.0.2.10", "IP:2001:db8:0:0:0:0:0:1"), NAMES.asSet());
    assertEquals(
        NAMES.asSet(),
        ServerNames.sansOf(issued().certificate().orElseThrow()),
        "the certificate's SANs read back in the same form");
  }

  @Test
  void aUsableCertificateIsKeptByteForByte() {
    ServerTls first = issued();
    ServerNames reordered =
        ServerNames.of(List.of("2001:db8:0::1", "VPN.example.com", "192.0.2.10"));

    assertSame(
        first,
        ServerCertificates.keepOrIssue(
            CA, Optional.of(first), request(reordered), RENEW_BEFORE, NOW.plusSeconds(60)),
        "order, case of a DNS name and IPv6 spelling do not matter");
  }

  @Test
  void aChangedNameAnExpiryAnotherCaOrAForeignKeyReIssue() {
    ServerTls first = issued();

    ServerNames moved = ServerNames.of(List.of("vpn.example.com", "192.0.2.11", "2001:db8::1"));
    assertFalse(ServerCertificates.reusable(CA, first, request(moved), RENEW_BEFORE, NOW));
    ServerNames fewer = ServerNames.of(List.of("vpn.example.com"));
    assertFalse(
        ServerCertificates.reusable(CA, first, request(fewer), RENEW_BEFORE, NOW),
        "a name dropped from the gateway must not stay in its certificate");

    Instant due = first.certificate().orElseThrow().getNotAfter().toInstant().minus(RENEW_BEFORE);
    assertTrue(
        ServerCertificates.reusable(CA, first, request(NAMES), RENEW_BEFORE, due.minusSeconds(1)));
    assertFalse(ServerCertificates.reusable(CA, first, request(NAMES), RENEW_BEFORE, due));

    CertificateAuthority other = CertificateAuthority.create("gw2", KeySpec.EC_P256, NOW);
    assertFalse(ServerCertificates.reusable(other, first, request(NAMES), RENEW_BEFORE, NOW));

    ServerTls second = issued();
    ServerTls mismatched = new ServerTls(first.certificatePem(), second.keyPem());
    assertFalse(ServerCertificates.reusable(CA, mismatched, request(NAMES), RENEW_BEFORE, NOW));
    assertFalse(
        ServerCertificates.reusable(
            CA,
            new ServerTls("not a certificate", first.keyPem()),
            request(NAMES),
            RENEW_BEFORE,
            NOW));
    assertFalse(
        ServerCertificates.reusable(
            CA,
            new ServerTls(first.certificatePem(), "not a key"),
            request(NAMES),
            RENEW_BEFORE,
            NOW));

    ServerTls renewed =
        ServerCertificates.keepOrIssue(
            CA, Optional.of(mismatched), request(NAMES), RENEW_BEFORE, NOW);
    assertNotEquals(mismatched, renewed);
    assertTrue(ServerCertificates.reusable(CA, renewed, request(NAMES), RENEW_BEFORE, NOW));
  }
}
