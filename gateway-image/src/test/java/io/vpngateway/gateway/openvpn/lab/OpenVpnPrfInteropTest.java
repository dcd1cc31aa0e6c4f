package io.vpngateway.gateway.openvpn.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vpngateway.gateway.testing.ServedGateway;
import io.vpngateway.testing.Java25;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The production gateway ({@code vpngw serve --config}) on Java 17, which has no TLS
 * keying-material exporter: it must warn at start, must not offer tls-ekm, and must derive the
 * data keys with the key-method-2 PRF, which the real client checks implicitly (a wrong key means
 * no ping reply). It also renegotiates from the server side (renegotiateSeconds 3 in the config
 * document) under a running ping, and enforces maxConnections (1) with AUTH_FAILED.
 */
class OpenVpnPrfInteropTest {
  private static final String GATEWAY_CR = """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: prf
        namespace: default
      spec:
        protocols: [OpenVPN]
        clientAddressPools:
          - cidr: 10.205.0.0/24
      """;

  @Test
  void java17GatewayFallsBackToPrfKeys() throws Exception {
    Prerequisites.requireRoot();
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireBinary("nft");
    Prerequisites.require(Runtime.version().feature() < 25,
        "the tests' JVM is Java " + Runtime.version().feature() + "; this test needs Java 17");
    try (NetnsLab lab = NetnsLab.create("ovpnprf", "10.204.1.0/24", "10.204.2.0/24")) {
      Path dir = lab.workDir().resolve("gateway");
      var state = ServedGateway.prepare(dir, GATEWAY_CR, lab.gatewayOuterAddress());
      ServedGateway gateway = ServedGateway.start(lab.gateway(), dir,
          OpenVpnPrfInteropTest::fastRenegotiationOneConnection, Java25.current());
      String jvm = gateway.process().awaitLine("JVM .*keying-material", Duration.ofSeconds(1));
      assertTrue(jvm.contains("has no TLS keying-material exporter"), jvm);

      OpenVpnClients clients = new OpenVpnClients(lab.workDir().resolve("clients"), state);
      int port = gateway.config().listen().openvpnUdp();
      clients.client("prf");
      LabProcess client = lab.client().start("openvpn-prf", "openvpn", "--config",
          clients.config("prf", "udp", lab.gatewayOuterAddress(), port).toString());
      client.awaitLine("Initialization Sequence Completed", Duration.ofSeconds(40));
      assertFalse(client.output().contains("tls-ekm"), "Java 17 cannot export keying material");
      // the server renegotiates every 3 s: the tunnel must stay up across key switches
      PingResult r = lab.ping(lab.client(), "10.205.0.1", 40);
      assertTrue(r.received() >= r.transmitted() - 2, r.output() + "\n" + client.tail());
      long renegotiations = gateway.metric("vpngw_openvpn_renegotiations_total");
      assertTrue(renegotiations >= 1, "renegotiations " + renegotiations);

      // maxConnections 1: a second client is refused with the reason in AUTH_FAILED
      clients.client("prf2");
      LabProcess second = lab.client().start("openvpn-prf2", "openvpn", "--config",
          clients.config("prf2", "udp", lab.gatewayOuterAddress(), port).toString());
      String refused = second.awaitLine("AUTH_FAILED", Duration.ofSeconds(40));
      assertTrue(refused.contains("MaxConnectionsReached"), refused);
    }
  }

  /** Server-side renegotiation every 3 s and one connection: fields a CR does not set. */
  private static void fastRenegotiationOneConnection(ObjectNode doc) {
    doc.put("maxConnections", 1);
    ((ObjectNode) doc.path("openvpn")).put("renegotiateSeconds", 3);
  }
}
