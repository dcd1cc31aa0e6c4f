package io.vpngateway.gateway.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.config.ConfigDirectoryLoader;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.standalone.StateDirectory;
import io.vpngateway.gateway.testing.GatewayFixture;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenVpnSettingsMapperTest {
  @TempDir Path dir;

  @Test
  void mapsTheDocumentAndItsFiles() throws Exception {
    GatewayFixture.preparedState(dir);
    RuntimeConfig config = new ConfigDirectoryLoader().load(dir);

    OpenVpnServerSettings s =
        OpenVpnSettingsMapper.settings(
            config, InetAddress.getByName("0.0.0.0"), config.document().listen(), 125);

    assertEquals(1194, s.udpPort());
    assertEquals(443, s.tcpPort());
    assertEquals(125, s.maxConnections());
    assertEquals(List.of("10.96.0.0/12"), s.routes());
    assertEquals("TLSv1.2", s.tlsMinVersion());
    assertEquals(3, s.dataCiphers().size());
    assertTrue(s.tlsCryptV2Key().isPresent());
    assertTrue(s.authTokenSecret().isPresent());
    assertEquals(config.serverCertificateChain(), s.serverCertificateChain());
  }

  @Test
  void reloadTakesPushOptionsCryptoAndCertificateButKeepsWhatWasBoundAtStart() throws Exception {
    StateDirectory state = GatewayFixture.preparedState(dir);
    RuntimeConfig started = new ConfigDirectoryLoader().load(dir);
    OpenVpnServerSettings running =
        OpenVpnSettingsMapper.settings(
            started,
            InetAddress.getByName("0.0.0.0"),
            new GatewayConfig.Listen(11940, -1, 500, 4500, 443),
            125);
    GatewayConfig d = started.document();
    GatewayConfig next =
        new GatewayConfig(
            d.version(),
            d.gateway(),
            d.protocols(),
            d.listen(),
            d.replicas(),
            9999,
            d.pools(),
            new GatewayConfig.Routing(List.of("10.96.0.0/12", "172.20.0.0/16"), true, false, true),
            new GatewayConfig.Dns(List.of("10.96.0.10"), List.of("corp.example")),
            d.tunnel(),
            d.authentication(),
            d.crypto(),
            d.openvpn(),
            d.ikev2(),
            d.management(),
            d.files());

    IssuedCertificate renewed =
        state
            .certificateAuthority()
            .issueServerCertificate(
                new ServerCertificateRequest(
                    "renewed",
                    List.of("vpn.example.com"),
                    List.of(),
                    KeySpec.EC_P256,
                    Duration.ofDays(90)),
                Instant.now());
    RuntimeConfig nextConfig =
        new RuntimeConfig(
            next,
            dir,
            started.caCertificate(),
            List.of(renewed.certificate()),
            renewed.privateKey(),
            started.crl(),
            started.trustedRoots(),
            started.tlsCryptV2ServerKey(),
            started.authTokenKey(),
            started.managementToken(),
            started.radiusSecrets(),
            started.oidcFiles(),
            "next");

    OpenVpnServerSettings s = OpenVpnSettingsMapper.reloaded(running, started, nextConfig);

    assertEquals(List.of("10.96.0.0/12", "172.20.0.0/16"), s.routes());
    assertEquals(List.of("10.96.0.10"), s.dnsServers());
    assertEquals(List.of("corp.example"), s.searchDomains());
    assertTrue(s.redirectGateway());
    assertFalse(s.clientToClient(), "client-to-client is data-plane state fixed at start");
    assertEquals(List.of(renewed.certificate()), s.serverCertificateChain());
    assertEquals(started.tlsCryptV2ServerKey(), s.tlsCryptV2Key());
    assertEquals(125, s.maxConnections());
    assertEquals(11940, s.udpPort());
    assertEquals(-1, s.tcpPort());
  }
}
