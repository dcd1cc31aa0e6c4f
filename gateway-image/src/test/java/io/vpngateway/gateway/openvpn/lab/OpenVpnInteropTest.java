package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.lab.IperfResult;
import io.vpngateway.gateway.lab.LabProcess;
import io.vpngateway.gateway.lab.NetnsLab;
import io.vpngateway.gateway.lab.PingResult;
import io.vpngateway.gateway.lab.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real, unmodified openvpn 2.6 client against our server. Three namespaces (client, gateway,
 * backend) from {@link NetnsLab}; the gateway runs as a child JVM ({@link OpenVpnLabGateway}) in
 * the gateway namespace, Java 25 when installed (tls-ekm). One gateway serves every scenario of
 * this class: it accepts tls-crypt and tls-crypt-v2 clients, UDP and TCP, TLS 1.2 and 1.3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenVpnInteropTest {
  private static final String POOL = "10.203.0.0/24";
  private static final String GATEWAY_TUNNEL_IP = "10.203.0.1";
  private static final Duration CONNECT = Duration.ofSeconds(40);

  private NetnsLab lab;
  private OpenVpnLabFiles files;
  private LabProcess gateway;

  @BeforeAll
  void startGateway() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("ping");
    lab = NetnsLab.create("ovpn", "10.201.1.0/24", "10.201.2.0/24");
    lab.gateway().execOk("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    lab.routeClientPoolFromBackend(POOL);
    files = new OpenVpnLabFiles(lab.workDir().resolve("ovpn"), lab.gatewayOuterAddress());
    String revoked = files.client("revoked").sha256Thumbprint();
    files.writeGatewayProperties(String.join("\n", "revoked=" + revoked,
        "listen=" + lab.gatewayOuterAddress(), "udpPort=1194", "tcpPort=1194",
        "pool=" + POOL, "routes=10.201.2.0/24", "tun=ovpn0", ""));
    gateway = lab.startJava(lab.gateway(), "gateway", true, List.of("-Xmx256m"),
        OpenVpnLabGateway.class.getName(), files.dir().toString());
    gateway.awaitLine("^READY", Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  private LabProcess connect(String name, String proto, String... extra) throws Exception {
    files.client(name);
    return connectExisting(name, proto, extra);
  }

  private LabProcess connectExisting(String name, String proto, String... extra)
      throws Exception {
    Path conf = files.clientConfig(name, proto, lab.gatewayOuterAddress(), 1194, extra);
    LabProcess client = lab.client().start("openvpn-" + name, "openvpn", "--config",
        conf.toString());
    client.awaitLine("Initialization Sequence Completed", CONNECT);
    return client;
  }

  private String tlsCrypt() {
    return "tls-crypt " + files.dir().resolve("tc.key");
  }

  @Test
  void udpClientConnectsPingsAndCarriesIperf() throws Exception {
    try (LabProcess client = connect("udp1", "udp", tlsCrypt())) {
      PingResult gw = lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3);
      assertTrue(gw.received() >= 2, gw.output() + "\n" + gateway.tail());
      PingResult behind = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(behind.received() >= 2, behind.output());
      IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
      System.out.printf("openvpn udp iperf3 client->backend: %.0f Mbit/s%n",
          iperf.megabitsPerSecond());
      assertTrue(iperf.bitsPerSecond() > 1e6, iperf.json());
      assertTrue(client.output().contains("TLSv1.3"), client.tail());
      if (Files.isExecutable(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"))) {
        assertTrue(client.output().contains("tls-ekm"), "Java 25 gateway must push tls-ekm");
      }
    }
  }

  @Test
  void revokedCertificateGetsAuthFailedWithReason() throws Exception {
    assertRefused("revoked", "CertificateRevoked");
  }

  @Test
  void certificateOfAnotherCaGetsAuthFailedUntrustedIssuer() throws Exception {
    files.clientOfAnotherCa("foreign");
    assertRefused("foreign", "UntrustedIssuer");
  }

  @Test
  void expiredCertificateGetsAuthFailedCertificateExpired() throws Exception {
    files.expiredClient("expired");
    assertRefused("expired", "CertificateExpired");
  }

  /** The client's certificate files exist; it must be told {@code AUTH_FAILED,<reason>}. */
  private void assertRefused(String name, String reason) throws Exception {
    Path conf = files.clientConfig(name, "udp", lab.gatewayOuterAddress(), 1194, tlsCrypt());
    try (LabProcess client = lab.client().start("openvpn-" + name, "openvpn", "--config",
        conf.toString())) {
      String line = client.awaitLine("AUTH_FAILED", CONNECT);
      assertTrue(line.contains("AUTH_FAILED," + reason), line + "\n" + gateway.tail());
      assertTrue(!client.output().contains("Initialization Sequence Completed"));
    }
  }

  @Test
  void tcpClientConnectsAndCarriesIperf() throws Exception {
    try (LabProcess client = connect("tcp1", "tcp-client", tlsCrypt())) {
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2);
      PingResult behind = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(behind.received() >= 2, behind.output());
      IperfResult iperf = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 3);
      System.out.printf("openvpn tcp iperf3 client->backend: %.0f Mbit/s%n",
          iperf.megabitsPerSecond());
      assertTrue(iperf.bitsPerSecond() > 1e6, iperf.json());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"})
  void everyDataCipherCarriesTraffic(String cipher) throws Exception {
    String name = "c" + cipher.substring(0, 5).toLowerCase().replace("-", "");
    try (LabProcess client = connect(name, "udp", tlsCrypt(), "data-ciphers " + cipher)) {
      assertTrue(client.output().contains("Data Channel: cipher '" + cipher + "'"),
          client.tail());
      PingResult r = lab.ping(lab.client(), lab.backendAddress(), 3);
      assertTrue(r.received() >= 2, r.output());
    }
  }

  @Test
  void tls12ControlChannelWorks() throws Exception {
    try (LabProcess client = connect("tls12", "udp", tlsCrypt(), "tls-version-max 1.2")) {
      assertTrue(client.output().contains("TLSv1.2"), client.tail());
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 3).received() >= 2);
    }
  }

  @Test
  void tlsCryptV2ClientKeyIsAccepted() throws Exception {
    Path key = files.tlsCryptV2ClientKey("v2client");
    try (LabProcess client = connect("v2client", "udp", "tls-crypt-v2 " + key)) {
      assertTrue(lab.ping(lab.client(), lab.backendAddress(), 3).received() >= 2);
    }
  }

  @Test
  void wrongTlsCryptKeyIsDroppedSilently() throws Exception {
    files.client("intruder");
    Path conf = files.clientConfig("intruder", "udp", lab.gatewayOuterAddress(), 1194,
        "tls-crypt " + files.wrongTlsCryptKey());
    long before = statsValue("authDropped");
    try (LabProcess client = lab.client().start("openvpn-intruder", "openvpn", "--config",
        conf.toString())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (statsValue("authDropped") < before + 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(statsValue("authDropped") >= before + 2, "no drops counted: " + stats());
      assertTrue(!client.output().contains("Initialization Sequence Completed"));
      assertTrue(!client.output().contains("Peer Connection Initiated"), client.tail());
    }
  }

  @Test
  void renegotiationUnderTrafficKeepsTheTunnelUp() throws Exception {
    try (LabProcess client = connect("reneg", "udp", tlsCrypt(), "reneg-sec 3")) {
      long renegsBefore = statsValue("renegotiations");
      PingResult r = lab.ping(lab.client(), lab.backendAddress(), 45);  // 9 s at 0.2 s
      long renegs = statsValue("renegotiations") - renegsBefore;
      assertTrue(renegs >= 2, "renegotiations: " + renegs + "\n" + client.tail());
      assertTrue(r.received() >= r.transmitted() - 2, r.output());
    }
  }

  @Test
  void twoClientsGetDistinctAddresses() throws Exception {
    try (LabProcess a = connect("twoa", "udp", tlsCrypt(), "route-noexec");
        LabProcess b = connect("twob", "tcp-client", tlsCrypt(), "route-noexec")) {
      String addrA = pushedAddress(a);
      String addrB = pushedAddress(b);
      assertNotEquals(addrA, addrB);
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 2).received() >= 1);
    }
  }

  @Test
  void explicitExitNotifyEndsTheSessionAtOnce() throws Exception {
    long establishedBefore = statsValue("established");
    LabProcess client = connect("exiter", "udp", tlsCrypt(), "explicit-exit-notify 1");
    // the stats file is rewritten 4 times a second: count sessions once it shows this one
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> statsValue("established") > establishedBefore);
    long before = statsValue("sessions");
    client.close();  // SIGTERM: the client sends EXIT over the control channel (cc-exit)
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (statsValue("sessions") >= before && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    // ping-restart is 30 s, so only the EXIT message can end the session this fast
    assertTrue(statsValue("sessions") < before, stats() + "\n" + gateway.tail());
  }

  @Test
  void clientFloatsToANewSourceAddressAfterAuthenticating() throws Exception {
    String floated = lab.clientAddress().replaceAll("\\.2$", ".3");
    try (LabProcess client = connect("floater", "udp", tlsCrypt())) {
      assertTrue(lab.ping(lab.client(), GATEWAY_TUNNEL_IP, 2).received() >= 1);
      lab.client().execOk("ip", "addr", "add", floated + "/24", "dev", "c-gw");
      try {
        lab.client().execOk("ip", "route", "replace", "10.201.1.0/24", "dev", "c-gw", "src",
            floated);
        PingResult r = lab.ping(lab.client(), lab.backendAddress(), 5);
        assertTrue(r.received() >= 3, r.output() + "\n" + gateway.tail());
        gateway.awaitLine("floated to /" + floated.replace(".", "\\."), Duration.ofSeconds(5));
      } finally {
        lab.client().exec("ip", "route", "replace", "10.201.1.0/24", "dev", "c-gw", "src",
            lab.clientAddress());
        lab.client().exec("ip", "addr", "del", floated + "/24", "dev", "c-gw");
      }
    }
  }

  private static String pushedAddress(LabProcess client) {
    Matcher m = Pattern.compile("ifconfig (10\\.203\\.0\\.\\d+) ").matcher(client.output());
    assertTrue(m.find(), client.tail());
    return m.group(1);
  }

  private String stats() throws Exception {
    return Files.readString(files.dir().resolve("stats.txt"));
  }

  private long statsValue(String key) throws Exception {
    Matcher m = Pattern.compile(key + "=(\\d+)").matcher(stats());
    assertTrue(m.find(), stats());
    return Long.parseLong(m.group(1));
  }
}
