package io.vpngateway.gateway.auth.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.auth.radius.RadiusSettings.PasswordProtocol;
import io.vpngateway.gateway.lab.FreeRadiusServer;
import io.vpngateway.testing.Prerequisites;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RADIUS client against a real FreeRADIUS 3.2 started by the test on loopback: PAP and
 * MS-CHAPv2 accept (groups from Class or Filter-Id, MPPE keys equal to what FreeRADIUS reports)
 * and reject, a wrong shared secret, failover from a server that never answers, Access-Challenge,
 * and accounting records reaching the server's detail file.
 */
class RadiusClientInteropTest {
  private static final String SECRET = "lab-secret-0123";
  private static final NasContext NAS =
      new NasContext("vpn/test", new InetSocketAddress("192.0.2.10", 40000), "ovpn-1", "OpenVPN");

  @TempDir static Path dir;
  private static FreeRadiusServer radius;

  @BeforeAll
  static void startRadius() throws Exception {
    Prerequisites.requireBinary("freeradius");
    radius = FreeRadiusServer.builder(dir).secret(SECRET)
        .user("alice", "alice-pw", "Class = \"engineering\"", "Filter-Id = \"admins\"")
        .user("bob", "bob-pw")
        .challengeUser("carol", "carol-pw", "123456", "mfa-users")
        .start();
  }

  @AfterAll
  static void stopRadius() {
    if (radius != null) {
      radius.close();
    }
  }

  private static RadiusPasswordAuthenticator authenticator(PasswordProtocol protocol,
      String groups, RadiusServerEndpoint... servers) {
    RadiusSettings s = RadiusTestSettings.settings(protocol, groups, 1, servers);
    return new RadiusPasswordAuthenticator(new RadiusClient(() -> s, new RadiusServerHealth()));
  }

  private static RadiusServerEndpoint server() {
    return RadiusTestSettings.endpoint(radius, SECRET, Duration.ofSeconds(5), 0);
  }

  @Test
  void papAcceptsWithGroupsAndRejectsAWrongPassword() throws Exception {
    var auth = authenticator(PasswordProtocol.PAP, "Class", server());
    RadiusAuthResult ok = auth.authenticate("alice", "alice-pw", NAS);
    RadiusAccept accept = assertInstanceOf(RadiusAuthResult.Accepted.class, ok).accept();
    assertEquals("alice", accept.userName());
    assertEquals(List.of("engineering"), accept.groups());
    assertTrue(accept.mppeKeys().isEmpty());

    var byFilterId = authenticator(PasswordProtocol.PAP, "Filter-Id", server());
    RadiusAuthResult viaFilter = byFilterId.authenticate("alice", "alice-pw", NAS);
    assertEquals(List.of("admins"),
        assertInstanceOf(RadiusAuthResult.Accepted.class, viaFilter).accept().groups());

    RadiusAuthResult wrong = auth.authenticate("alice", "not-her-password", NAS);
    assertEquals("RadiusRejected",
        assertInstanceOf(RadiusAuthResult.Rejected.class, wrong).reason());
  }

  @Test
  void msChapV2AcceptsOnlyWithTheServersProofAndHandsOverTheKeysFreeRadiusSent() throws Exception {
    var auth = authenticator(PasswordProtocol.MSCHAPV2, "Class", server());
    RadiusAuthResult ok = auth.authenticate("alice", "alice-pw", NAS);
    RadiusAccept accept = assertInstanceOf(RadiusAuthResult.Accepted.class, ok).accept();
    assertEquals(List.of("engineering"), accept.groups());
    MppeKeys keys = accept.mppeKeys().orElseThrow();
    Map<String, String> reported = lastReportedKeys();
    assertEquals(reported.get("MS-MPPE-Send-Key"), HexFormat.of().formatHex(keys.sendKey()));
    assertEquals(reported.get("MS-MPPE-Recv-Key"), HexFormat.of().formatHex(keys.receiveKey()));

    RadiusAuthResult wrong = auth.authenticate("alice", "wrong", NAS);
    assertEquals("RadiusRejected",
        assertInstanceOf(RadiusAuthResult.Rejected.class, wrong).reason());
  }

  @Test
  void aWrongSharedSecretIsAClearErrorNotAReject() {
    var health = new RadiusServerHealth();
    RadiusServerEndpoint bad = RadiusTestSettings.endpoint(radius, "not-the-secret",
        Duration.ofMillis(500), 0);
    RadiusSettings s = RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1, bad);
    var auth = new RadiusPasswordAuthenticator(new RadiusClient(() -> s, health));
    RadiusException e = assertThrows(RadiusException.class,
        () -> auth.authenticate("alice", "alice-pw", NAS));
    assertEquals("RadiusUnavailable", e.reason());
    assertTrue(e.getMessage().contains(bad.label()), e.getMessage());
    // FreeRADIUS drops a request whose Message-Authenticator fails (it logs "Shared secret is
    // incorrect"), so the gateway sees silence and says what that can mean
    assertTrue(e.getMessage().contains("shared secret"), e.getMessage());
    radius.awaitOutput("invalid Message-Authenticator", Duration.ofSeconds(5));
    assertFalse(health.state(bad).orElseThrow().up());
  }

  /**
   * RFC 5997 Status-Server as a watchdog: FreeRADIUS (status_server = yes) answers; a server a
   * real exchange found down is brought back by the probe; a silent server never seen is probed
   * but not marked down (it may not implement Status-Server); a wrong secret is no answer.
   */
  @Test
  void statusServerBringsADownServerBackAndNeverMarksAnUnknownOneDown() throws Exception {
    try (DatagramSocket blackhole = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      RadiusServerEndpoint alive = server();
      RadiusServerEndpoint silent = RadiusTestSettings.endpoint("127.0.0.1",
          blackhole.getLocalPort(), SECRET, Duration.ofMillis(300), 1);
      try (RadiusService service = RadiusService.of(
          RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1, alive, silent))) {
        assertTrue(service.client().statusServer(alive));
        assertEquals(1, service.health().requestCount(alive, "status"));
        assertEquals(0, service.health().requestCount(alive, "accept"), "not counted as a login");

        service.health().failed(alive, "test: it failed a real exchange");
        assertFalse(service.health().state(alive).orElseThrow().up());
        new RadiusStatusProbe(service, Runnable::run).run();
        assertTrue(service.health().state(alive).orElseThrow().up(), "back after the probe");
        assertEquals(2, service.health().requestCount(alive, "status"));
        assertEquals(1, receivedDatagrams(blackhole), "the silent server was probed once");
        assertTrue(service.health().state(silent).isEmpty(), "but not marked down");

        new RadiusStatusProbe(service, Runnable::run).run();
        assertEquals(2, service.health().requestCount(alive, "status"), "up servers not probed");
      }
      RadiusServerEndpoint wrongSecret = RadiusTestSettings.endpoint(radius, "not-the-secret",
          Duration.ofMillis(500), 0);
      RadiusSettings s = RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1,
          wrongSecret);
      assertFalse(new RadiusClient(() -> s, new RadiusServerHealth()).statusServer(wrongSecret));
    }
  }

  @Test
  void aSilentFirstServerFailsOverToTheSecondAndIsThenTriedLast() throws Exception {
    try (DatagramSocket blackhole = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      var health = new RadiusServerHealth();
      Duration timeout = Duration.ofMillis(400);
      RadiusServerEndpoint dead = RadiusTestSettings.endpoint("127.0.0.1",
          blackhole.getLocalPort(), SECRET, timeout, 0);
      RadiusServerEndpoint alive = RadiusTestSettings.endpoint(radius, SECRET,
          Duration.ofSeconds(5), 1);
      RadiusSettings s = RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1, dead, alive);
      var auth = new RadiusPasswordAuthenticator(new RadiusClient(() -> s, health));

      RadiusAuthResult r = auth.authenticate("alice", "alice-pw", NAS);
      RadiusAccept accept = assertInstanceOf(RadiusAuthResult.Accepted.class, r).accept();
      assertEquals(alive, accept.server());
      // two transmissions (retries = 1) to the silent server, each waited for its full timeout
      assertEquals(2, receivedDatagrams(blackhole));
      assertTrue(accept.serverNanos() >= 2 * timeout.toNanos());
      assertFalse(health.state(dead).orElseThrow().up());
      assertTrue(health.state(alive).orElseThrow().up());

      // held down: the next login goes to the healthy server first, without waiting
      auth.authenticate("alice", "alice-pw", NAS);
      assertEquals(0, receivedDatagrams(blackhole));
    }
  }

  /**
   * More logins within FreeRADIUS's duplicate-detection window (cleanup_delay, 5 s) than its
   * built-in max_requests (256) are all answered at the first transmission: with retries off, a
   * request FreeRADIUS dropped would fail its login after the timeout. Guards the lab config
   * (max_requests) that the benchmarks' throughput depends on, and shows that concurrent
   * exchanges, each with its own socket, never get each other's replies.
   */
  @Test
  void manyConcurrentLoginsAreAllAnsweredAtTheFirstTransmission() throws Exception {
    RadiusSettings s = RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 0, server());
    RadiusServerHealth health = new RadiusServerHealth();
    var auth = new RadiusPasswordAuthenticator(new RadiusClient(() -> s, health));
    int logins = 400;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<RadiusAuthResult>> results = new ArrayList<>();
      for (int i = 0; i < logins; i++) {
        results.add(pool.submit(() -> auth.authenticate("alice", "alice-pw", NAS)));
      }
      for (Future<RadiusAuthResult> r : results) {
        assertInstanceOf(RadiusAuthResult.Accepted.class, r.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(logins, health.requestCount(server(), "accept"));
    assertEquals(0, health.droppedCount(server(), "WrongIdentifier"));
    assertEquals(0, health.droppedCount(server(), "BadAuthenticator"));
  }

  @Test
  void anAccessChallengeIsAnsweredOnTheSameServer() throws Exception {
    var auth = authenticator(PasswordProtocol.PAP, "Class", server());
    RadiusAuthResult first = auth.authenticate("carol", "carol-pw", NAS);
    RadiusAuthResult.Challenged c = assertInstanceOf(RadiusAuthResult.Challenged.class, first);
    assertEquals("Enter the code from your token", c.prompt());

    RadiusAuthResult bad = auth.answerChallenge(c, "carol", "000000", NAS);
    assertInstanceOf(RadiusAuthResult.Rejected.class, bad);
    RadiusAuthResult good = auth.answerChallenge(c, "carol", "123456", NAS);
    assertEquals(List.of("mfa-users"),
        assertInstanceOf(RadiusAuthResult.Accepted.class, good).accept().groups());
  }

  @Test
  void accountingStartAndStopReachTheServerWithByteCountsAndClass() throws Exception {
    RadiusSettings s = RadiusTestSettings.settings(PasswordProtocol.PAP, "Class", 1, server());
    var accounting = new RadiusAccounting(new RadiusClient(() -> s, new RadiusServerHealth()),
        Runnable::run);
    var session = new RadiusAccounting.Session("alice",
        new NasContext("vpn/test", new InetSocketAddress("192.0.2.10", 40000), "acct-42",
            "OpenVPN"),
        (java.net.Inet4Address) InetAddress.getByName("10.8.0.6"),
        List.of("engineering".getBytes()), Instant.now().minusSeconds(90));
    assertTrue(accounting.start(session).get());
    long bytesIn = (5L << 32) + 1234;
    assertTrue(accounting.stop(session, bytesIn, 777,
        RadiusAccounting.TerminateCause.USER_REQUEST).get());

    List<Map<String, String>> records = radius.accountingRecords().stream()
        .filter(r -> "acct-42".equals(r.get("Acct-Session-Id"))).toList();
    assertEquals(2, records.size(), radius.accountingRecords().toString());
    Map<String, String> start = records.get(0);
    assertEquals("Start", start.get("Acct-Status-Type"));
    assertEquals("alice", start.get("User-Name"));
    assertEquals("10.8.0.6", start.get("Framed-IP-Address"));
    Map<String, String> stop = records.get(1);
    assertEquals("Stop", stop.get("Acct-Status-Type"));
    assertEquals("1234", stop.get("Acct-Input-Octets"));
    assertEquals("5", stop.get("Acct-Input-Gigawords"));
    assertEquals("777", stop.get("Acct-Output-Octets"));
    assertEquals("User-Request", stop.get("Acct-Terminate-Cause"));
    assertEquals("0x" + HexFormat.of().formatHex("engineering".getBytes()), stop.get("Class"));
    assertTrue(Long.parseLong(stop.get("Acct-Session-Time")) >= 90, stop.toString());
  }

  /** The MPPE keys of the last Access-Accept FreeRADIUS printed in its debug output. */
  static Map<String, String> lastReportedKeys() {
    String out = radius.output();
    int sent = out.lastIndexOf("Sent Access-Accept");
    String tail = out.substring(sent);
    Map<String, String> keys = new java.util.HashMap<>();
    Matcher m = Pattern.compile("(MS-MPPE-(?:Send|Recv)-Key) = 0x([0-9a-f]+)").matcher(tail);
    while (m.find() && keys.size() < 2) {
      keys.putIfAbsent(m.group(1), m.group(2));
    }
    return keys;
  }

  private static int receivedDatagrams(DatagramSocket socket) throws Exception {
    int n = 0;
    socket.setSoTimeout(50);
    byte[] buf = new byte[4096];
    while (true) {
      try {
        socket.receive(new DatagramPacket(buf, buf.length));
        n++;
      } catch (SocketTimeoutException e) {
        return n;
      }
    }
  }
}
