package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientProfilesTest {
  private static final ProfileFixture F = ProfileFixture.EC;

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
                    F.input().protocols(EnumSet.of(TunnelProtocol.OPENVPN)).pkcs12(null).build())
                .keySet()));
    assertEquals(
        List.of(ClientProfiles.OPENVPN, ClientProfiles.WINDOWS),
        List.copyOf(
            ClientProfiles.render(
                    F.input()
                        .protocols(EnumSet.of(TunnelProtocol.OPENVPN, TunnelProtocol.SSTP))
                        .build())
                .keySet()));
  }
}
