package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SwanctlProfileRendererTest {
  private static final ProfileFixture F = ProfileFixture.EC;

  @Test
  void certificateProfileAsksForAVirtualIpAndPinsTheServerIdentity() {
    SwanctlProfile profile = SwanctlProfileRenderer.render(F.input().build());
    List<String> lines = profile.swanctlConf().lines().map(String::strip).toList();
    assertTrue(lines.contains("remote_addrs = vpn.example.com"));
    assertTrue(lines.contains("vips = 0.0.0.0"));
    assertTrue(lines.contains("id = \"vpn.example.com\""));
    assertTrue(lines.contains("auth = pubkey"));
    assertTrue(lines.contains("certs = client.crt"));
    assertTrue(lines.contains("cacerts = ca.crt"));
    assertTrue(lines.contains("remote_ts = 10.96.0.0/12, 10.244.0.0/16"));
    assertTrue(lines.contains("proposals = aes256gcm16-prfsha384-ecp384, aes256-sha256-modp2048"));
    assertTrue(lines.contains("esp_proposals = aes256gcm16-ecp384, aes256-sha256"));
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("remote_port")), "default IKE port");
    assertFalse(profile.swanctlConf().contains("secrets"));
    assertEquals(
        Set.of("x509/client.crt", "x509ca/ca.crt", "private/client.key"), profile.files().keySet());
    assertEquals(F.client.privateKeyPem(), profile.files().get("private/client.key"));
    assertTrue(profile.instructions().contains("swanctl --initiate --child gw1"));
    // Balanced braces: every section opened is closed.
    long open = profile.swanctlConf().chars().filter(c -> c == '{').count();
    assertEquals(open, profile.swanctlConf().chars().filter(c -> c == '}').count());
  }

  @Test
  void forceTunnelOtherPortAndOddGatewayNames() {
    String conf =
        SwanctlProfileRenderer.render(
                F.input().forceTunnel(true).ikePort(1500).gatewayName("prod gw.eu").build())
            .swanctlConf();
    assertTrue(conf.contains("remote_ts = 0.0.0.0/0\n"));
    assertTrue(conf.contains("remote_port = 1500\n"));
    assertTrue(conf.contains("  prod-gw-eu {\n"), conf);
  }
}
