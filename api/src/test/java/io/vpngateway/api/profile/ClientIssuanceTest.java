package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.openvpn.TlsCryptV2ClientKey;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.KeyAlgorithm;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.v1alpha1.ClientCertificateSpec;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The issuance rules the operator and {@code vpngw issue} share. */
class ClientIssuanceTest {
  static final String GATEWAY =
      """
      apiVersion: vpngateway.io/v1alpha1
      kind: VpnGateway
      metadata: {name: gw1, namespace: ns}
      spec:
        protocols: [OpenVPN, IKEv2]
        clientAddressPools:
          - cidr: 10.1.0.0/24
        routing: {routes: [10.96.0.0/12]}
      """;

  static ClientCertificateSpec spec() {
    ClientCertificateSpec spec = new ClientCertificateSpec();
    spec.commonName = "alice";
    return spec;
  }

  static PrivateKeySpec key(PrivateKeySpec.Algorithm algorithm, Integer size) {
    PrivateKeySpec key = new PrivateKeySpec();
    key.algorithm = algorithm;
    key.size = size;
    return key;
  }

  @Test
  void keySpecDefaultsToP256AndHonoursAlgorithmAndSize() {
    assertEquals(KeySpec.EC_P256, ClientIssuance.keySpec(null));
    assertEquals(KeySpec.EC_P256, ClientIssuance.keySpec(key(null, null)));
    assertEquals(KeySpec.EC_P384, ClientIssuance.keySpec(key(null, 384)));
    assertEquals(KeySpec.RSA_2048, ClientIssuance.keySpec(key(PrivateKeySpec.Algorithm.RSA, null)));
    assertEquals(
        new KeySpec(KeyAlgorithm.RSA, 3072),
        ClientIssuance.keySpec(key(PrivateKeySpec.Algorithm.RSA, 3072)));
  }

  @Test
  void durationsDefaultAndABadOneNamesItsField() {
    ClientCertificateSpec spec = spec();
    assertEquals(ClientCertificateRequest.DEFAULT_VALIDITY, ClientIssuance.validity(spec));
    assertEquals(Duration.ofDays(30), ClientIssuance.renewBefore(spec));
    spec.duration = "2160h";
    spec.renewBefore = " ";
    assertEquals(Duration.ofDays(90), ClientIssuance.validity(spec));
    assertEquals(Duration.ofDays(30), ClientIssuance.renewBefore(spec), "blank = unset");
    spec.duration = "a fortnight";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClientIssuance.validity(spec));
    assertTrue(e.getMessage().startsWith("spec.duration: "), e.getMessage());
  }

  @Test
  void requestCarriesNameGroupsValidityAndKey() {
    ClientCertificateSpec spec = spec();
    spec.groups = List.of("eng", "ops");
    spec.duration = "720h";
    spec.privateKey = key(PrivateKeySpec.Algorithm.RSA, 3072);
    ClientCertificateRequest request = ClientIssuance.request(spec);
    assertEquals("alice", request.commonName());
    assertEquals(List.of("eng", "ops"), request.groups());
    assertEquals(Duration.ofDays(30), request.validity());
    assertEquals(new KeySpec(KeyAlgorithm.RSA, 3072), request.keySpec());
    assertEquals(List.of(), ClientIssuance.groups(spec()));
  }

  @Test
  void profileInputComesFromTheGatewayConfigAndTheIssuedCertificate() throws Exception {
    GatewayConfig config =
        GatewayConfigRenderer.render(
            Serialization.unmarshal(GATEWAY, VpnGateway.class), RenderDefaults.standalone());
    ProfileFixture f = ProfileFixture.EC;
    TlsCryptV2ServerKey serverKey = TlsCryptV2ServerKey.generate(new SecureRandom());
    String clientKey =
        ClientIssuance.newTlsCryptV2ClientKey(serverKey, new SecureRandom(), ProfileFixture.NOW);
    serverKey.unwrap(TlsCryptV2ClientKey.parse(clientKey).wrappedKey());

    ClientProfileInput input =
        ClientIssuance.profileInput(
            config,
            new ClientIssuance.Endpoint("gw1", "vpn.example.com", ProfileFixture.SERVER_NAME),
            f.client,
            f.pkcs12,
            clientKey);
    assertEquals(EnumSet.of(VpnProtocol.OpenVPN, VpnProtocol.IKEv2), input.protocols());
    assertEquals("gw1", input.gatewayName());
    assertEquals("vpn.example.com", input.endpointHost());
    assertEquals("alice", input.clientName());
    assertEquals(config.listen().openvpnUdp(), input.openVpnUdpPort());
    assertEquals(config.listen().ike(), input.ikePort());
    assertEquals(config.crypto().dataCiphers(), input.dataCiphers());
    assertEquals(List.of("10.96.0.0/12"), input.routes());
    assertEquals(clientKey, input.tlsCryptV2ClientKey());
    assertEquals(f.client.certificatePem(), input.clientCertificatePem());
    assertEquals(PasswordAuthentication.NONE, input.passwordAuthentication());
  }
}
