package io.vpngateway.gateway.ikev2.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.testing.IperfResult;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.PingResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real strongSwan client against the production gateway ({@code vpngw serve}), certificate
 * authentication both ways: the profile {@code vpngw issue} writes is installed unmodified, as its
 * README says; the client gets an address from the pool, reaches the backend through the tunnel
 * (ping, then iperf3 for 5 s in each direction), and the gateway lists the session.
 *
 * <p>Parameterised over the client key (ECDSA P-256, RSA 2048) and the server key (ECDSA, RSA):
 * every AUTH method strongSwan uses with them is verified and produced by the gateway (RFC 7427
 * digital signatures). The RSA run also has force tunnel on: the client's selectors are then
 * 0.0.0.0/0 (its profile asks for it) and all its traffic, the backend included, takes the
 * tunnel.
 */
class Ikev2CertificateInteropTest {
  static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata:
        name: ikev2
        namespace: default
      spec:
        protocols: [IKEv2]
        clientAddressPools:
          - cidr: 10.203.0.0/24
        routing:
          routes: [%BACKEND%]
      """;

  @ParameterizedTest(name = "client {0}, server {1}, force tunnel {3}")
  @CsvSource({"ECDSA, EC_P256, 10.98.71, false", "RSA, RSA_2048, 10.98.73, true"})
  void unmodifiedProfileConnectsPingsAndCarriesIperf(
      String clientKey, String serverKey, String net, boolean forceTunnel) throws Exception {
    KeySpec server = serverKey.equals("RSA_2048") ? KeySpec.RSA_2048 : KeySpec.EC_P256;
    String gateway =
        forceTunnel ? GATEWAY.replace("routes: [%BACKEND%]", "forceTunnel: true") : GATEWAY;
    try (Ikev2Lab ikev2 =
        Ikev2Lab.start(
            "ikecert" + clientKey, net + ".0/24", nextSubnet(net), gateway, c -> c, server)) {
      NetnsLab lab = ikev2.lab();
      Path issued = ikev2.issue("alice", clientKey, List.of("engineering"));
      StrongSwanClient alice = ikev2.client("alice", issued);
      alice.connect("ikev2", ikev2.gateway());

      String sas = alice.listSas();
      assertTrue(sas.contains("AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384"), sas);
      assertTrue(sas.contains("10.203.0."), "an inner address from the pool:\n" + sas);
      String remote = forceTunnel ? "remote 0.0.0.0/0" : "remote " + nextSubnet(net);
      assertTrue(sas.contains(remote), "the routes (or everything) as remote selector:\n" + sas);
      alice
          .charon()
          .awaitLine(
              "authentication of '.*' with " + (server == KeySpec.RSA_2048 ? "RSA" : "ECDSA")
                  + ".* successful",
              java.time.Duration.ofSeconds(1));

      PingResult ping = lab.ping(lab.client(), lab.backendAddress(), 5);
      assertTrue(ping.received() >= 4, "ping through the tunnel:\n" + ping.output());
      IperfResult up = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 5);
      assertTrue(up.bitsPerSecond() > 1e6, "iperf3 upload: " + up.bitsPerSecond());
      IperfResult down = lab.iperf3(lab.backend(), lab.backendAddress(), lab.client(), 5, "-R");
      assertTrue(down.bitsPerSecond() > 1e6, "iperf3 download: " + down.bitsPerSecond());
      System.out.printf(
          "IKEv2 %s/%s: upload %.0f Mbit/s, download %.0f Mbit/s%n",
          clientKey, serverKey, up.bitsPerSecond() / 1e6, down.bitsPerSecond() / 1e6);

      String sessions = ikev2.vpngw("sessions");
      assertTrue(
          sessions.matches("(?s).*alice\\s+IKEv2\\s+10\\.203\\.0\\.\\d+.*"), sessions);
    }
  }

  /** The backend /24 next to the outer one. */
  static String nextSubnet(String net) {
    String[] p = net.split("\\.");
    return p[0] + "." + p[1] + "." + (Integer.parseInt(p[2]) + 1) + ".0/24";
  }
}
