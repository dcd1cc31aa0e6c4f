package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.policy.CryptoPolicy;
import io.vpngateway.api.policy.CryptoPresets;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientProfilesTest {
  private static final ProfileFixture F = ProfileFixture.EC;

  @Test
  void everyCryptoPresetRendersOnEveryPlatform() {
    for (CryptoPolicy policy : List.of(CryptoPresets.AZURE_2026, CryptoPresets.STRICT)) {
      var files = ClientProfiles.render(F.input().crypto(policy).build());
      String ovpn = new String(files.get(ClientProfiles.OPENVPN), StandardCharsets.UTF_8);
      assertTrue(
          ovpn.contains("data-ciphers " + String.join(":", policy.dataCiphers()) + "\n"), ovpn);
      assertTrue(ovpn.contains("tls-version-min " + policy.tlsMinVersion() + "\n"), ovpn);
      String swanctl = new String(files.get(ClientProfiles.SWANCTL), StandardCharsets.UTF_8);
      assertTrue(
          swanctl.contains("proposals = " + String.join(", ", policy.ike()) + "\n"), swanctl);
      assertTrue(
          swanctl.contains("esp_proposals = " + String.join(", ", policy.esp()) + "\n"), swanctl);
      String windows = new String(files.get(ClientProfiles.WINDOWS), StandardCharsets.UTF_8);
      // Both presets start with AES-256-GCM / SHA-384 / ECP-384, which Windows can express.
      assertTrue(
          windows.contains(
              "-EncryptionMethod GCMAES256 -IntegrityCheckMethod SHA384 -DHGroup ECP384"),
          windows);
    }
  }

  @Test
  void rendersOnlyTheProfilesOfEnabledProtocols() {
    assertEquals(
        List.of(
            ClientProfiles.OPENVPN,
            ClientProfiles.SWANCTL,
            ClientProfiles.SWANCTL_INSTRUCTIONS,
            ClientProfiles.APPLE,
            ClientProfiles.WINDOWS),
        List.copyOf(ClientProfiles.render(F.input().build()).keySet()));
    assertEquals(
        List.of(ClientProfiles.OPENVPN),
        List.copyOf(
            ClientProfiles.render(
                    F.input().protocols(EnumSet.of(VpnProtocol.OpenVPN)).pkcs12(null).build())
                .keySet()));
    assertEquals(
        List.of(ClientProfiles.OPENVPN, ClientProfiles.WINDOWS),
        List.copyOf(
            ClientProfiles.render(
                    F.input()
                        .protocols(EnumSet.of(VpnProtocol.OpenVPN, VpnProtocol.SSTP))
                        .build())
                .keySet()));
  }

  @Test
  void secretDataHoldsCredentialsBundleAndProfiles() throws Exception {
    var data = ClientSecretData.of(F.client, F.input().build());
    assertEquals(
        List.of(
            "tls.crt",
            "tls.key",
            "ca.crt",
            "keystore.p12",
            "keystore.p12.password",
            ClientProfiles.OPENVPN,
            ClientProfiles.SWANCTL,
            ClientProfiles.SWANCTL_INSTRUCTIONS,
            ClientProfiles.APPLE,
            ClientProfiles.WINDOWS),
        List.copyOf(data.keySet()));
    var store = java.security.KeyStore.getInstance("PKCS12");
    store.load(
        new java.io.ByteArrayInputStream(data.get(ClientSecretData.PKCS12)),
        new String(data.get(ClientSecretData.PKCS12_PASSWORD), StandardCharsets.UTF_8)
            .toCharArray());
    assertTrue(store.isKeyEntry("alice"));
    var other = new ProfileFixture(io.vpngateway.api.pki.KeySpec.EC_P256);
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ClientSecretData.of(other.client, F.input().build()));
  }
}
