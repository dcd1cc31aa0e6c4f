package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WindowsProfileRendererTest {
  private static final ProfileFixture F = ProfileFixture.EC;

  @Test
  void certificateProfileAddsIkev2AndSstpWithPinnedProposals() throws Exception {
    String ps = WindowsProfileRenderer.render(F.input().build());
    List<String> lines = ps.lines().toList();
    assertTrue(lines.contains("#Requires -RunAsAdministrator"));
    assertTrue(lines.contains("$Server = 'vpn.example.com'"));
    assertTrue(
        ps.contains(
            "Import-Certificate -FilePath $caFile -CertStoreLocation Cert:\\LocalMachine\\Root"));
    assertTrue(
        ps.contains(
            "Import-PfxCertificate -FilePath $p12File -CertStoreLocation Cert:\\LocalMachine\\My"
                + " -Password $Pkcs12Password"));
    assertTrue(
        ps.contains(
            "Import-PfxCertificate -FilePath $p12File -CertStoreLocation Cert:\\CurrentUser\\My"
                + " -Password $Pkcs12Password"));
    assertTrue(
        lines.contains(
            "Add-VpnConnection -Name $name -ServerAddress $Server -TunnelType Ikev2"
                + " -AuthenticationMethod MachineCertificate -EncryptionLevel Required"
                + " -SplitTunneling:$true -DnsSuffix 'default.svc.cluster.local'"
                + " -Force"),
        ps);
    assertTrue(
        lines.contains(
            "Set-VpnConnectionIPsecConfiguration -ConnectionName $name -EncryptionMethod GCMAES256"
                + " -IntegrityCheckMethod SHA384 -DHGroup ECP384 -CipherTransformConstants"
                + " GCMAES256 -AuthenticationTransformConstants GCMAES256 -PfsGroup ECP384 -Force"),
        ps);
    assertTrue(lines.contains("$eap = New-EapConfiguration -Tls -UserCertificate"));
    assertTrue(
        lines.contains(
            "Add-VpnConnection -Name $name -ServerAddress $Server -TunnelType Sstp"
                + " -AuthenticationMethod Eap -EapConfigXmlStream $eap.EapConfigXmlStream"
                + " -EncryptionLevel Required -SplitTunneling:$true -DnsSuffix"
                + " 'default.svc.cluster.local' -Force"),
        ps);
    assertEquals(
        2,
        lines.stream().filter(l -> l.contains("-DestinationPrefix 10.96.0.0/12")).count(),
        "route per connection");
    assertEquals(
        2, lines.stream().filter(l -> l.contains("-DestinationPrefix 10.244.0.0/16")).count());

    // The embedded identity opens with the embedded password.
    String p12 = extract(ps, "\\$Pkcs12 = '([A-Za-z0-9+/=]+)'");
    String password = extract(ps, "ConvertTo-SecureString -String '([^']+)'");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(new ByteArrayInputStream(Base64.getDecoder().decode(p12)), password.toCharArray());
    assertTrue(store.isKeyEntry("alice"));
    assertEquals(
        F.ca.certificate(),
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(
                    Base64.getDecoder().decode(extract(ps, "\\$CaCertificate = '([^']+)'")))));
  }

  @Test
  void forceTunnelRadiusAndUnexpressibleProposals() {
    String ps =
        WindowsProfileRenderer.render(
            F.input()
                .protocols(EnumSet.of(VpnProtocol.IKEv2, VpnProtocol.SSTP))
                .forceTunnel(true)
                .sstpPort(8443)
                .passwordAuthentication(PasswordAuthentication.RADIUS)
                .ikeProposals(List.of("aes256gcm16-prfsha384-curve25519", "aes128-sha256-modp2048"))
                .espProposals(List.of("aes128-sha256-modp2048s256"))
                .build());
    assertTrue(ps.contains("-SplitTunneling:$false"));
    assertFalse(ps.contains("Add-VpnConnectionRoute"));
    assertFalse(ps.contains("Import-PfxCertificate"), "no client certificate with RADIUS");
    assertTrue(
        ps.contains(
            "-TunnelType Ikev2 -AuthenticationMethod Eap -EapConfigXmlStream"
                + " $eap.EapConfigXmlStream"));
    assertTrue(
        ps.contains(
            "-ServerAddress \"${Server}:8443\" -TunnelType Sstp -AuthenticationMethod MSChapv2"));
    // curve25519 cannot be expressed on Windows: the next proposal is used.
    assertTrue(
        ps.contains(
            "-EncryptionMethod AES128 -IntegrityCheckMethod SHA256 -DHGroup Group14"
                + " -CipherTransformConstants AES128 -AuthenticationTransformConstants SHA256128"
                + " -PfsGroup PFS24"),
        ps);

    String none =
        WindowsProfileRenderer.render(
            F.input()
                .ikeProposals(List.of("aes256gcm16-prfsha384-curve25519"))
                .espProposals(List.of("aes256gcm16"))
                .build());
    assertTrue(none.contains("# None of the gateway's proposals can be expressed on Windows"));
    assertFalse(none.contains("Set-VpnConnectionIPsecConfiguration"));
  }

  @Test
  void singleQuotesAreDoubledInPowerShellStrings() {
    String ps = WindowsProfileRenderer.render(F.input().gatewayName("bob's gw").build());
    assertTrue(ps.contains("$Gateway = 'bob''s gw'"));
  }

  private static String extract(String text, String regex) {
    var matcher = Pattern.compile(regex).matcher(text);
    assertTrue(matcher.find(), regex);
    return matcher.group(1);
  }
}
