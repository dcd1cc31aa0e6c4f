package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.ippool.AddressLease;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.crypto.DataCipherSuite;
import io.vpngateway.gateway.openvpn.message.PeerInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushReplyBuilderTest {
  private static OpenVpnServerSettings.Builder settings() {
    CertificateAuthority ca = CertificateAuthority.create("push", KeySpec.EC_P256, Instant.now());
    IssuedCertificate s = ca.issueServerCertificate(new ServerCertificateRequest("gw",
        List.of("gw.test"), List.of(), KeySpec.EC_P256, Duration.ofDays(1)), Instant.now());
    return OpenVpnServerSettings.builder().serverCredentials(List.of(s.certificate()),
        s.privateKey());
  }

  private static AddressLease lease() throws Exception {
    return new AddressLease((Inet4Address) InetAddress.getByName("10.8.0.7"), 24,
        (Inet4Address) InetAddress.getByName("10.8.0.1"), () -> { });
  }

  @Test
  void pushesTopologyRoutesDnsTimersCipherAndFlags() throws Exception {
    OpenVpnServerSettings s = settings().routes(List.of("10.96.0.0/12", "192.168.5.0/24"))
        .dns(List.of("10.96.0.10"), List.of("default.svc.cluster.local"))
        .keepalive(Duration.ofSeconds(10), Duration.ofSeconds(60)).build();
    String push = PushReplyBuilder.build(s, lease(), DataCipherSuite.CHACHA20_POLY1305, 3, true,
        "vgw1.token");
    assertEquals("PUSH_REPLY,topology subnet,route-gateway 10.8.0.1,"
        + "ifconfig 10.8.0.7 255.255.255.0,route 10.96.0.0 255.240.0.0,"
        + "route 192.168.5.0 255.255.255.0,dhcp-option DNS 10.96.0.10,"
        + "dhcp-option DOMAIN default.svc.cluster.local,ping 10,ping-restart 60,tun-mtu 1500,"
        + "peer-id 3,cipher CHACHA20-POLY1305,protocol-flags cc-exit tls-ekm,"
        + "auth-token vgw1.token", push);
  }

  @Test
  void forcedTunnelAndNoEkm() throws Exception {
    String push = PushReplyBuilder.build(settings().redirectGateway(true).build(), lease(),
        DataCipherSuite.AES_256_GCM, 0, false, null);
    assertTrue(push.contains(",redirect-gateway def1,"));
    assertTrue(push.contains(",protocol-flags cc-exit"));
    assertFalse(push.contains("tls-ekm"));
    assertFalse(push.contains("auth-token"));
  }

  @Test
  void cipherNegotiationFollowsServerOrderAmongClientOffers() {
    PeerInfo client = PeerInfo.parse("IV_CIPHERS=CHACHA20-POLY1305:aes-128-gcm\n");
    assertEquals(DataCipherSuite.AES_128_GCM, CipherNegotiation.choose(List.of(
        DataCipherSuite.AES_256_GCM, DataCipherSuite.AES_128_GCM,
        DataCipherSuite.CHACHA20_POLY1305), client).orElseThrow());
    assertTrue(CipherNegotiation.choose(List.of(DataCipherSuite.AES_256_GCM), client).isEmpty());
    assertEquals(DataCipherSuite.AES_256_GCM, CipherNegotiation.choose(
        List.of(DataCipherSuite.AES_256_GCM), PeerInfo.parse("IV_NCP=2\n")).orElseThrow());
  }

  @Test
  void netmasks() {
    assertEquals("0.0.0.0", PushReplyBuilder.netmask(0));
    assertEquals("255.255.255.255", PushReplyBuilder.netmask(32));
    assertEquals("255.255.128.0", PushReplyBuilder.netmask(17));
  }
}
