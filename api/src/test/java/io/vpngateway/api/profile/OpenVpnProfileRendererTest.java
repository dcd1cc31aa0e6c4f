package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenVpnProfileRendererTest {
  private static final ProfileFixture F = ProfileFixture.EC;
  private static final String TLS_CRYPT_V2 =
      "-----BEGIN OpenVPN tls-crypt-v2 client key-----\n"
          + "AAAA\n"
          + "-----END OpenVPN tls-crypt-v2 client key-----\n";
  private static final String TLS_CRYPT =
      "-----BEGIN OpenVPN Static key V1-----\nabcd\n-----END OpenVPN Static key V1-----\n";

  @Test
  void bothTransportsGiveUdpThenTcpRemotes() {
    String ovpn =
        OpenVpnProfileRenderer.render(F.input().tlsCryptV2ClientKey(TLS_CRYPT_V2).build());
    List<String> lines = ovpn.lines().toList();
    assertEquals(
        List.of("remote vpn.example.com 1194 udp", "remote vpn.example.com 443 tcp-client"),
        lines.stream().filter(l -> l.startsWith("remote ")).toList());
    assertTrue(lines.contains("client") && lines.contains("dev tun"));
    assertTrue(lines.contains("remote-cert-tls server"));
    assertTrue(lines.contains("verify-x509-name vpn.example.com name"));
    assertTrue(lines.contains("data-ciphers AES-256-GCM:AES-128-GCM"));
    assertTrue(lines.contains("tls-version-min 1.2"));
    assertTrue(lines.contains("server-poll-timeout 10"));
    assertFalse(ovpn.contains("auth-user-pass"), "certificate-only gateways ask no password");
    assertTrue(ovpn.contains("<ca>\n" + F.client.caCertificatePem().strip() + "\n</ca>"));
    assertTrue(ovpn.contains("<cert>\n" + F.client.certificatePem().strip() + "\n</cert>"));
    assertTrue(ovpn.contains("<key>\n-----BEGIN PRIVATE KEY-----"));
    assertTrue(ovpn.contains("<tls-crypt-v2>\n" + TLS_CRYPT_V2.strip() + "\n</tls-crypt-v2>"));
    assertFalse(ovpn.contains("<tls-crypt>"));
  }

  @Test
  void tcpOnlyAndTlsCryptAndPasswordVariants() {
    String ovpn =
        OpenVpnProfileRenderer.render(
            F.input()
                .openVpnUdpPort(0)
                .tlsCryptKey(TLS_CRYPT)
                .tlsMinVersion("1.3")
                .passwordAuthentication(PasswordAuthentication.RADIUS)
                .build());
    assertEquals(
        List.of("remote vpn.example.com 443 tcp-client"),
        ovpn.lines().filter(l -> l.startsWith("remote ")).toList());
    assertFalse(ovpn.contains("server-poll-timeout"));
    assertTrue(ovpn.contains("<tls-crypt>\n" + TLS_CRYPT.strip() + "\n</tls-crypt>"));
    assertTrue(ovpn.lines().anyMatch("auth-user-pass"::equals));
    assertTrue(ovpn.lines().anyMatch("tls-version-min 1.3"::equals));
    String oidc =
        OpenVpnProfileRenderer.render(
            F.input().passwordAuthentication(PasswordAuthentication.OIDC).build());
    assertTrue(oidc.lines().anyMatch("auth-user-pass"::equals));
    assertTrue(oidc.lines().anyMatch("setenv IV_SSO webauth,crtext"::equals), oidc);
    assertFalse(ovpn.contains("IV_SSO"), "a RADIUS profile announces no web sign-in");
  }

  @Test
  void aPasswordOnlyProfileHasNoCertificateAndAsksForThePassword() {
    String ovpn =
        OpenVpnProfileRenderer.render(
            F.input()
                .clientCertificatePem(null)
                .clientKeyPem(null)
                .pkcs12(null)
                .tlsCryptV2ClientKey(TLS_CRYPT_V2)
                .protocols(java.util.Set.of(io.vpngateway.api.v1alpha1.spec.VpnProtocol.OpenVPN))
                .passwordAuthentication(PasswordAuthentication.RADIUS)
                .build());
    assertFalse(ovpn.contains("<cert>"), ovpn);
    assertFalse(ovpn.contains("<key>"), ovpn);
    assertTrue(ovpn.contains("<ca>"), ovpn);
    assertTrue(ovpn.contains("<tls-crypt-v2>"), ovpn);
    assertTrue(ovpn.lines().anyMatch("auth-user-pass"::equals), ovpn);
    var noPassword =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                F.input()
                    .clientCertificatePem(null)
                    .clientKeyPem(null)
                    .passwordAuthentication(PasswordAuthentication.NONE)
                    .build());
    assertTrue(noPassword.getMessage().contains("password"), noPassword.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> F.input().clientKeyPem(null).passwordAuthentication(PasswordAuthentication.RADIUS)
            .build());
  }

  @Test
  void badInputIsRejectedBeforeItReachesTheProfile() {
    var injected =
        assertThrows(
            IllegalArgumentException.class,
            () -> F.input().endpointHost("vpn.example.com\nscript-security 2").build());
    assertTrue(injected.getMessage().contains("endpointHost"));
    assertThrows(
        IllegalArgumentException.class,
        () -> F.input().tlsCryptV2ClientKey(TLS_CRYPT_V2).tlsCryptKey(TLS_CRYPT).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            F.input().clientKeyPem(F.client.privateKeyPem() + "</key>\nup /bin/sh\n<key>").build());
    assertThrows(
        IllegalArgumentException.class,
        () -> F.input().dataCiphers(List.of("AES-256-GCM up")).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> F.input().openVpnUdpPort(0).openVpnTcpPort(0).build());
    assertThrows(IllegalArgumentException.class, () -> F.input().tlsMinVersion("1.1").build());
    assertThrows(
        IllegalArgumentException.class, () -> F.input().routes(List.of("10.0.0.0")).build());
    var off = F.input().protocols(EnumSet.of(VpnProtocol.IKEv2)).build();
    assertThrows(IllegalArgumentException.class, () -> OpenVpnProfileRenderer.render(off));
  }
}
