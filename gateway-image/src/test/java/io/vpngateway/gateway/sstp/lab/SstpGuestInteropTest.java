package io.vpngateway.gateway.sstp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Prerequisites;
import io.vpngateway.gateway.lab.QemuGuest;
import io.vpngateway.gateway.session.TunnelSession;
import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.TestMsChapV2Authenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified Debian pppd 2.4.9 + sstpc 1.0.18 in a QEMU guest (kernel PPP, which this host
 * lacks) against our SSTP server on the host's loopback: both ways of starting the client reach
 * Call Connected with a crypto binding our server checks, get the pool's address by IPCP and ping
 * through the tunnel (small and 1300-octet packets) to a host behind the gateway.
 */
class SstpGuestInteropTest {
  static final Duration BOOT_AND_CONNECT = Duration.ofSeconds(120);
  @TempDir Path dir;
  private SstpTestServer server;
  private LabProcess guest;

  @AfterEach
  void stop() {
    if (guest != null) {
      System.out.println("---- guest console ----\n" + guest.output());
      guest.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @CsvSource({"PPPD_PLUGIN, TLSv1.2", "SSTPC_USER_PASSWORD, TLSv1.2", "PPPD_PLUGIN, TLSv1.3"})
  void realPppdAndSstpcConnectAndPing(SstpGuestScript.Mode mode, String tls) throws Exception {
    QemuGuest.require();
    Prerequisites.requireBinary("sstpc");
    Prerequisites.requireBinary("pppd");
    TestMsChapV2Authenticator verifier =
        new TestMsChapV2Authenticator(Map.of("alice", "alice-pw"), List.of("staff"));
    server =
        new SstpTestServer(verifier, List.of(tls), 10, Duration.ofSeconds(90));
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, SstpTestPki.get().ca.certificatePem());
    Path script =
        SstpGuestScript.write(dir, mode, "alice", "alice-pw", ca, "10.77.0.1", List.of(), 0);
    List<TunnelSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.registry.onUnregister(sessions::add);
    guest =
        QemuGuest.startOnHost(
            "guest-" + mode, script, dir, "127.0.0.1:" + server.address.getPort());

    String up = guest.awaitLine("VPNGW-PPP-UP|VPNGW-PPP-FAILED", BOOT_AND_CONNECT);
    if (up.startsWith("VPNGW-PPP-FAILED")
        && tls.equals("TLSv1.3")
        && server.server.stats().sstpRequests.sum() == 1
        && !guest.output().contains("Sending Connect-Request")) {
      // sstpc 1.0.18's TLS 1.3 stall (README, SSTP): our server finished TLS, read the
      // SSTP_DUPLEX_POST and sent 200; the client never reads it (it waits on its socket while
      // the reply sits in OpenSSL after the session ticket). Reported as skipped, not passed.
      org.junit.jupiter.api.Assumptions.abort(
          "sstpc 1.0.18 TLS 1.3 stall reproduced: the server answered the HTTP request, the"
              + " client never sent Call Connect Request (a client bug, see README)");
    }
    assertTrue(up.contains("inet 10.77.0.2"), "IPCP address from the pool: " + up);
    String ping = guest.awaitLine("VPNGW-PING ", Duration.ofSeconds(30));
    assertTrue(ping.startsWith("VPNGW-PING 5") || ping.startsWith("VPNGW-PING 4"), ping);
    String large = guest.awaitLine("VPNGW-PING-LARGE ", Duration.ofSeconds(30));
    assertTrue(large.startsWith("VPNGW-PING-LARGE 3") || large.startsWith("VPNGW-PING-LARGE 2"),
        large);
    assertEquals(1, server.server.stats().sessionsEstablished.sum());
    assertEquals(0, server.server.stats().bindingFailures.sum());
    guest.awaitLine("VPNGW-DONE", Duration.ofSeconds(30));
    sessions.addAll(server.registry.all());
    assertEquals(1, sessions.size());
    assertEquals("alice", sessions.get(0).identity().name());
    assertEquals(List.of("staff"), sessions.get(0).identity().groups());
  }
}
