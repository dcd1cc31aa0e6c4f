package io.vpngateway.api.profile;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pkcs12Bundle;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

/** A CA, a server certificate for vpn.example.com/127.0.0.1 and a client "alice" in groups eng. */
final class ProfileFixture {
  static final Instant NOW = Instant.now();
  static final String SERVER_NAME = "vpn.example.com";

  final CertificateAuthority ca;
  final IssuedCertificate server;
  final IssuedCertificate client;
  final Pkcs12Bundle pkcs12;

  ProfileFixture(KeySpec keySpec) {
    ca = CertificateAuthority.create("gw1", keySpec, NOW);
    server =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                SERVER_NAME,
                List.of(SERVER_NAME),
                List.of("127.0.0.1"),
                keySpec,
                Duration.ofDays(30)),
            NOW);
    client =
        ca.issueClientCertificate(
            ClientCertificateRequest.of("alice", List.of("eng"), Duration.ofDays(30), keySpec),
            NOW);
    pkcs12 = client.toPkcs12("alice");
  }

  static final ProfileFixture EC = new ProfileFixture(KeySpec.EC_P256);

  /** Every protocol on, Azure-like proposals, split tunnel to two routes. */
  ClientProfileInput.Builder input() {
    return ClientProfileInput.builder()
        .gatewayName("gw1")
        .endpointHost(SERVER_NAME)
        .serverName(SERVER_NAME)
        .clientName("alice")
        .protocols(EnumSet.allOf(VpnProtocol.class))
        .openVpnUdpPort(1194)
        .openVpnTcpPort(443)
        .caCertificatePem(client.caCertificatePem())
        .clientCertificatePem(client.certificatePem())
        .clientKeyPem(client.privateKeyPem())
        .pkcs12(pkcs12)
        .dataCiphers(List.of("AES-256-GCM", "AES-128-GCM"))
        .tlsMinVersion("1.2")
        .ikeProposals(List.of("aes256gcm16-prfsha384-ecp384", "aes256-sha256-modp2048"))
        .espProposals(List.of("aes256gcm16-ecp384", "aes256-sha256"))
        .dnsServers(List.of("10.96.0.10"))
        .searchDomains(List.of("default.svc.cluster.local"))
        .routes(List.of("10.96.0.0/12", "10.244.0.0/16"));
  }
}
