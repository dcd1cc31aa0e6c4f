package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    files.writeGatewayProperties(String.join("\n",
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
    }
  }
}
