package io.vpngateway.gateway.sstp.lab;

import static io.vpngateway.gateway.sstp.lab.SstpGatewayInteropTest.bitsPerSecond;
import static io.vpngateway.gateway.sstp.lab.SstpGatewayInteropTest.line;
import static io.vpngateway.gateway.sstp.lab.SstpGatewayInteropTest.phaseOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.cli.Vpngw;
import io.vpngateway.gateway.lab.QemuGuest;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Mode;
import io.vpngateway.gateway.sstp.lab.SstpGuestScript.Phase;
import io.vpngateway.gateway.standalone.GatewayFile;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * EAP-TLS inside SSTP with the real client: the unmodified Debian pppd 2.4.9 (its built-in EAP-TLS
 * client: {@code ca}, {@code cert}, {@code key}, the server's CN as {@code remotename}) + sstpc
 * 1.0.18 in the QEMU guest against {@code vpngw serve} of a certificate-only gateway, which runs
 * EAP-TLS itself and judges the ClientCertificate with its own trust. One guest boot:
 *
 * <ol>
 *   <li>carol's ClientCertificate (from {@code vpngw issue}): Call Connected with the crypto
 *       binding keyed by the EAP-TLS MSK (checked by the gateway: a wrong HLAK aborts the call), the
 *       engineering pool from her certificate's OU, ping and an iperf3 upload through the tunnel;
 *       then {@code vpngw revoke carol} while the call is up: the gateway's reload ends the session
 *       and the guest's pppd sees the link go down within 5 s of the reload;
 *   <li>a certificate of a CA the gateway does not trust: refused (UntrustedIssuer), no address;
 *   <li>carol's revoked certificate again: refused (CertificateRevoked), no address.
 * </ol>
 */
class SstpEapTlsInteropTest {
  private static final String POOL_PREFIX = "inet 10.215.0.";
  private static final String GATEWAY_TUNNEL_IP = "10.215.0.1";
  private static final Duration BOOT_AND_CONNECT = Duration.ofSeconds(240);
  private static final Duration STEP = Duration.ofSeconds(120);
  private static final Pattern ADDRESS = Pattern.compile("inet (10\\.215\\.0\\.\\d+) ");
  private static final String GATEWAY_FILE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: sstptls
        namespace: default
      spec:
        protocols: [SSTP]
        clientAddressPools:
          - cidr: 10.214.0.0/24
          - cidr: 10.215.0.0/24
            groups: [engineering]
            priority: 10
        routing:
          routes: [%s]
        authentication:
          certificate:
            builtInCa: true
      """;
  private static final String CLIENT_CERTIFICATE = """
      apiVersion: vpngateway.io/v1alpha1
      kind: ClientCertificate
      metadata:
        name: carol
        namespace: default
      spec:
        gatewayRef:
          name: sstptls
        commonName: carol
        groups: [engineering]
        duration: 2160h
        privateKey:
          algorithm: ECDSA
          size: 256
        secretName: carol-vpn
      """;

  @Test
  void pppdEapTlsWithAClientCertificateAndRevocationEndsTheCall() throws Exception {
    QemuGuest.require();
    Prerequisites.requireBinary("sstpc");
    Prerequisites.requireBinary("pppd");
    Prerequisites.requireBinary("iperf3");
    int iperfPort = 5201;
    try (NetnsLab lab = NetnsLab.create("sstptls", "10.213.1.0/24", "10.213.2.0/24")) {
      lab.routeClientPoolFromBackend("10.214.0.0/23");
      Path dir = lab.workDir().resolve("gateway");
      ServedGateway.prepare(dir, GatewayFile.parse(
          GATEWAY_FILE.formatted("10.213.2.0/24"), "sstp eap-tls test"),
          lab.gatewayOuterAddress());
      ServedGateway gateway = ServedGateway.start(lab.gateway(), dir, doc -> {},
          Java25.find().orElse(Java25.current()));
      // carol's ClientCertificate as the CLI issues it (tls.crt, tls.key, ca.crt)
      Path work = Files.createDirectories(lab.workDir().resolve("guest"));
      Path request = work.resolve("carol.yaml");
      Files.writeString(request, CLIENT_CERTIFICATE);
      Path carol = work.resolve("carol");
      assertEquals(0, Vpngw.run("issue", "-f", request.toString(), "--state-dir", dir.toString(),
          "--out", carol.toString()));
      Path ca = carol.resolve("ca.crt");
      CertificateAuthority other =
          CertificateAuthority.create("rogue", KeySpec.EC_P256, Instant.now());
      IssuedCertificate forged = other.issueClientCertificate(ClientCertificateRequest.of(
          "carol", List.of("engineering"), Duration.ofDays(2), KeySpec.EC_P256), Instant.now());
      Path rogue = Files.createDirectories(work.resolve("rogue"));
      Files.writeString(rogue.resolve("tls.crt"), forged.certificatePem());
      Files.writeString(rogue.resolve("tls.key"), forged.privateKeyPem());
      String server = lab.gatewayOuterAddress(); // the server certificate's CN
      String backend = lab.backendAddress();
      List<Phase> phases = List.of(
          new Phase("eaptls", Mode.PPPD_PLUGIN, "carol", null, eapTls(ca, carol, server), true,
              List.of(GATEWAY_TUNNEL_IP, backend),
              List.of(SstpGuestScript.iperf3("up", backend, iperfPort, 3, false)), 120),
          new Phase("rogue", Mode.PPPD_PLUGIN, "carol", null, eapTls(ca, rogue, server), true,
              List.of(), List.of(), 0),
          new Phase("revoked", Mode.PPPD_PLUGIN, "carol", null, eapTls(ca, carol, server), true,
              List.of(), List.of(), 0));
      Path script = SstpGuestScript.write(work, ca, phases);
      try (LabProcess iperf = lab.backend().start("iperf3-server", "iperf3", "-s",
              "--forceflush", "-B", backend, "-p", Integer.toString(iperfPort));
          LabProcess guest = QemuGuest.start(lab.client(), "sstp-guest", script, work,
              server + ":" + gateway.config().listen().sstp())) {
        try {
          iperf.awaitLine("Server listening", Duration.ofSeconds(10));
          String up = line(guest, "VPNGW-eaptls-(UP|FAILED)", BOOT_AND_CONNECT);
          assertTrue(up.contains(POOL_PREFIX), "the engineering pool from carol's OU: " + up);
          String eaptls = phaseOutput(guest, "eaptls");
          assertTrue(eaptls.contains("Sending Connected Message"), "sstpc sent Call Connected");
          Matcher m = ADDRESS.matcher(up);
          assertTrue(m.find(), up);
          String established = "established: " + m.group(1) + ", TLSv1.2 ";
          Wait.until("the gateway's '" + established + "' (binding checked)",
              Duration.ofSeconds(15), () -> gateway.process().output().contains(established));
          JsonNode session = only(gateway.sessions(), "SSTP");
          assertEquals("carol", session.path("identity").asText(), session.toString());
          assertEquals("engineering", session.path("groups").path(0).asText(), session.toString());
          for (String target : List.of(GATEWAY_TUNNEL_IP, backend)) {
            String ping = line(guest, "VPNGW-eaptls-PING \\d* " + Pattern.quote(target), STEP);
            assertTrue(ping.matches(".*-PING [45] .*"), ping);
            String large =
                line(guest, "VPNGW-eaptls-PING-LARGE \\d* " + Pattern.quote(target), STEP);
            assertTrue(large.matches(".*-PING-LARGE [23] .*"), large);
          }
          assertEquals("VPNGW-eaptls-RESULT 0 0", line(guest, "VPNGW-eaptls-RESULT 0 ", STEP));
          double bits = bitsPerSecond(SstpGuestScript.iperf3Report(guest.output(), "up"));
          System.out.printf("SSTP EAP-TLS (guest, TCG) iperf3 3 s up: %.1f Mbit/s%n", bits / 1e6);
          assertTrue(bits > 100_000, "data moved through the tunnel");

          // revoke carol while her call is up: the reload ends it, the guest's pppd sees it
          int reloads = count(gateway.process().output(), "config reloaded");
          long revoked = System.nanoTime();
          assertEquals(0, Vpngw.run("revoke", "carol", "--state-dir", dir.toString()));
          Wait.until("the gateway reloading the new CRL", Duration.ofSeconds(30),
              () -> count(gateway.process().output(), "config reloaded") > reloads,
              () -> gateway.process().tail());
          long reloaded = System.nanoTime();
          String end = line(guest, "VPNGW-eaptls-END ", STEP);
          long ended = System.nanoTime();
          System.out.printf("SSTP EAP-TLS revocation: reload %.1f s after vpngw revoke, pppd saw"
              + " the link go down %.1f s after the reload%n", (reloaded - revoked) / 1e9,
              (ended - reloaded) / 1e9);
          assertEquals("VPNGW-eaptls-END exited", end, "the client ended, not the hold");
          assertTrue((ended - reloaded) / 1e9 < 5, "ended within 5 s of the reload");
          Wait.until("carol's session gone", Duration.ofSeconds(10),
              () -> !gateway.sessions().toString().contains("\"SSTP\""));
          assertTrue(gateway.process().output().matches("(?s).*carol.*CertificateRevoked.*"),
              "the gateway logged why it ended the session");

          line(guest, "VPNGW-rogue-(UP|FAILED)", STEP);
          assertTrue(guest.output().contains("VPNGW-rogue-FAILED"), guest.tail());
          Wait.until("an UntrustedIssuer refusal", Duration.ofSeconds(10),
              () -> gateway.refusals().toString().contains("UntrustedIssuer"));
          line(guest, "VPNGW-revoked-(UP|FAILED)", STEP);
          assertTrue(guest.output().contains("VPNGW-revoked-FAILED"), guest.tail());
          Wait.until("a CertificateRevoked refusal", Duration.ofSeconds(10),
              () -> gateway.refusals().toString().contains("CertificateRevoked"));
          assertFalse(phaseOutput(guest, "revoked").contains("Sending Connected Message"));
          line(guest, "VPNGW-DONE", STEP);
          assertEquals(0.0, gateway.metrics().get(
              "vpngw_dropped_packets_total{protocol=\"SSTP\",reason=\"CryptoBindingFailed\"}"),
              "every crypto binding checked out");
        } finally {
          System.out.println("---- guest console ----\n" + guest.output());
          System.out.println("---- vpngw serve ----\n" + gateway.process().tail());
        }
      }
    }
  }

  /** pppd's EAP-TLS client options: CA, certificate and key files, the server's CN. */
  private static String eapTls(Path ca, Path credentials, String serverCn) {
    return "ca " + ca + " cert " + credentials.resolve("tls.crt") + " key "
        + credentials.resolve("tls.key") + " remotename " + serverCn + " debug";
  }

  private static JsonNode only(JsonNode sessions, String protocol) {
    JsonNode found = null;
    for (JsonNode s : sessions) {
      if (protocol.equals(s.path("protocol").asText())) {
        assertTrue(found == null, "one " + protocol + " session: " + sessions);
        found = s;
      }
    }
    assertTrue(found != null, "a " + protocol + " session: " + sessions);
    return found;
  }

  private static int count(String text, String needle) {
    return text.split(Pattern.quote(needle), -1).length - 1;
  }
}
