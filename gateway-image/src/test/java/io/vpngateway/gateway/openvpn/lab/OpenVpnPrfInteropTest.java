package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.lab.LabProcess;
import io.vpngateway.gateway.lab.NetnsLab;
import io.vpngateway.gateway.lab.PingResult;
import io.vpngateway.gateway.lab.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway on Java 17, which has no TLS keying-material exporter: the server must not offer
 * tls-ekm and must derive the data keys with the key-method-2 PRF, which the real client checks
 * implicitly (a wrong key means no ping reply). It also renegotiates from the server side
 * (reneg-sec 3) under a running ping, and enforces maxConnections with AUTH_FAILED.
 */
class OpenVpnPrfInteropTest {
  @Test
  void java17GatewayFallsBackToPrfKeys() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    try (NetnsLab lab = NetnsLab.create("ovpnprf", "10.204.1.0/24", "10.204.2.0/24")) {
      OpenVpnLabFiles files = new OpenVpnLabFiles(lab.workDir().resolve("ovpn"),
          lab.gatewayOuterAddress());
      files.writeGatewayProperties(String.join("\n", "listen=" + lab.gatewayOuterAddress(),
          "udpPort=1194", "tcpPort=-1", "pool=10.205.0.0/24", "tun=ovpn0", "renegSec=3", "maxConnections=1", ""));
      LabProcess gateway = lab.startJava(lab.gateway(), "gateway17", false, List.of("-Xmx256m"),
          OpenVpnLabGateway.class.getName(), files.dir().toString());
      gateway.awaitLine("^READY", Duration.ofSeconds(30));
      files.client("prf");
      Path conf = files.clientConfig("prf", "udp", lab.gatewayOuterAddress(), 1194,
          "tls-crypt " + files.dir().resolve("tc.key"));
      LabProcess client = lab.client().start("openvpn-prf", "openvpn", "--config",
          conf.toString());
      client.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(40));
      assertFalse(client.output().contains("tls-ekm"), "Java 17 cannot export keying material");
      // the server renegotiates every 3 s (reneg-sec): the tunnel must stay up across switches
      PingResult r = lab.ping(lab.client(), "10.205.0.1", 40);
      assertTrue(r.received() >= r.transmitted() - 2, r.output() + "\n" + client.tail());
      String stats = java.nio.file.Files.readString(files.dir().resolve("stats.txt"));
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("renegotiations=(\\d+)")
          .matcher(stats);
      assertTrue(m.find() && Long.parseLong(m.group(1)) >= 1, stats);

      // maxConnections=1: a second client is refused with the reason in AUTH_FAILED
      files.client("prf2");
      Path conf2 = files.clientConfig("prf2", "udp", lab.gatewayOuterAddress(), 1194,
          "tls-crypt " + files.dir().resolve("tc.key"));
      LabProcess second = lab.client().start("openvpn-prf2", "openvpn", "--config",
          conf2.toString());
      String refused = second.awaitLine("AUTH_FAILED", Duration.ofSeconds(40));
      assertTrue(refused.contains("MaxConnectionsReached"), refused);
    }
  }
}
