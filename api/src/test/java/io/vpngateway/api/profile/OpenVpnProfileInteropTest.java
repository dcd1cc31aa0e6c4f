package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.Crls;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.RevokedCertificate;
import io.vpngateway.testing.Commands;
import io.vpngateway.testing.LabProcess;
import io.vpngateway.testing.Netns;
import io.vpngateway.testing.NetnsLab;
import io.vpngateway.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered {@code .ovpn} against the real OpenVPN 2.6: a server built from the same CA runs in
 * a private network namespace, and an unmodified {@code openvpn --config client.ovpn} connects to
 * it over loopback inside that namespace. This proves the options parse, the inline PKCS#8 key and
 * tls-crypt-v2 key load, the server passes {@code remote-cert-tls server} and {@code
 * verify-x509-name}, and the negotiated data cipher is one the profile allows. The same server
 * loads the CA's CRL ({@code --crl-verify}) and refuses the revoked client's profile.
 */
class OpenVpnProfileInteropTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void unmodifiedOpenVpnClientConnectsWithTheRenderedProfile(@TempDir Path dir) throws Exception {
    Prerequisites.requireBinary("openvpn");
    Prerequisites.requireRoot();
    ProfileFixture f = ProfileFixture.EC;
    Files.writeString(dir.resolve("ca.crt"), f.ca.certificatePem());
    Files.writeString(dir.resolve("server.crt"), f.server.certificatePem());
    Files.writeString(dir.resolve("server.key"), f.server.privateKeyPem());
    assertEquals(
        0,
        Commands.run(dir, "openvpn", "--genkey", "tls-crypt-v2-server", "tc2-server.key").exitCode());
    var clientKey =
        Commands.run(
            dir,
            "openvpn",
            "--tls-crypt-v2",
            "tc2-server.key",
            "--genkey",
            "tls-crypt-v2-client",
            "tc2-client.key");
    assertEquals(0, clientKey.exitCode(), clientKey.output());

    ClientProfileInput input =
        f.input()
            .endpointHost("127.0.0.1") // dialled inside the namespace; the name is checked by CN
            .serverName(ProfileFixture.SERVER_NAME)
            .openVpnUdpPort(11194)
            .openVpnTcpPort(11195)
            .tlsCryptV2ClientKey(Files.readString(dir.resolve("tc2-client.key")))
            .build();
    Files.writeString(dir.resolve("client.ovpn"), OpenVpnProfileRenderer.render(input));

    // A second client, revoked in the CRL the server loads with --crl-verify.
    IssuedCertificate mallory =
        f.ca.issueClientCertificate(
            ClientCertificateRequest.of("mallory", List.of(), Duration.ofDays(1), KeySpec.EC_P256),
            ProfileFixture.NOW);
    Instant now = Instant.now();
    X509CRL crl =
        f.ca.issueCrl(
            List.of(new RevokedCertificate(mallory.certificate().getSerialNumber(), now)),
            Crls.nextNumber(Optional.empty(), now),
            now.minusSeconds(60),
            now.plus(Duration.ofDays(1)));
    Files.writeString(dir.resolve("crl.pem"), Pem.encode(crl));
    Files.writeString(
        dir.resolve("mallory.ovpn"),
        OpenVpnProfileRenderer.render(
            f.input()
                .endpointHost("127.0.0.1")
                .openVpnUdpPort(11194)
                .openVpnTcpPort(0)
                .clientName("mallory")
                .clientCertificatePem(mallory.certificatePem())
                .clientKeyPem(mallory.privateKeyPem())
                .tlsCryptV2ClientKey(Files.readString(dir.resolve("tc2-client.key")))
                .build()));

    // one namespace of a lab: server and client talk over its loopback only
    try (NetnsLab lab = NetnsLab.create("ovpnprofile", "10.211.1.0/24", "10.211.2.0/24")) {
      Netns ns = lab.gateway();
      try (LabProcess server =
          ns.startIn(dir, "openvpn server", "openvpn",
                  "--dev",
                  "tun",
                  "--proto",
                  "udp",
                  "--local",
                  "127.0.0.1",
                  "--port",
                  "11194",
                  "--topology",
                  "subnet",
                  "--server",
                  "10.201.0.0",
                  "255.255.255.0",
                  "--ca",
                  "ca.crt",
                  "--cert",
                  "server.crt",
                  "--key",
                  "server.key",
                  "--dh",
                  "none",
                  "--tls-crypt-v2",
                  "tc2-server.key",
                  "--crl-verify",
                  "crl.pem",
                  "--data-ciphers",
                  "AES-256-GCM",
                  "--disable-dco",
                  "--verb",
                  "3")) {
        server.awaitLine(Pattern.quote("Initialization Sequence Completed"), CONNECT_TIMEOUT);
        try (LabProcess client =
            ns.startIn(dir, "openvpn client", "openvpn", "--config", "client.ovpn", "--disable-dco", "--verb", "4")) {
          client.awaitLine(
              Pattern.quote("Initialization Sequence Completed"), CONNECT_TIMEOUT);
          String log = client.output();
          assertFalse(log.contains("Options error"), log);
          assertTrue(log.contains("VERIFY X509NAME OK: CN=" + ProfileFixture.SERVER_NAME), log);
          assertTrue(log.contains("VERIFY EKU OK"), log);
          assertTrue(log.contains("Data Channel: cipher 'AES-256-GCM'"), log);
          server.awaitLine(Pattern.quote("OU=eng, CN=alice"), Duration.ofSeconds(5));
        }
        // The same profile for a different server name must refuse this server.
        Files.writeString(
            dir.resolve("wrong-name.ovpn"),
            OpenVpnProfileRenderer.render(
                f.input()
                    .endpointHost("127.0.0.1")
                    .serverName("other.example.com")
                    .openVpnUdpPort(11194)
                    .openVpnTcpPort(0)
                    .tlsCryptV2ClientKey(Files.readString(dir.resolve("tc2-client.key")))
                    .build()));
        try (LabProcess impostor =
            ns.startIn(dir, "openvpn client (wrong name)", "openvpn", "--config", "wrong-name.ovpn", "--disable-dco", "--verb", "3")) {
          impostor.awaitLine(Pattern.quote("VERIFY X509NAME ERROR"), CONNECT_TIMEOUT);
          assertFalse(
              impostor.output().contains("Initialization Sequence Completed"), impostor.output());
        }
        // The server refuses the revoked client by the CRL the CA signed.
        try (LabProcess revoked =
            ns.startIn(dir, "openvpn client (revoked)", "openvpn", "--config", "mallory.ovpn", "--disable-dco", "--verb", "3")) {
          server.awaitLine(Pattern.quote("certificate revoked"), CONNECT_TIMEOUT);
          assertFalse(revoked.output().contains("Initialization Sequence Completed"));
        }
      }
    }
  }

  @Test
  void tlsCryptProfileParsesAndLoadsWithoutAServer(@TempDir Path dir) throws Exception {
    Prerequisites.requireBinary("openvpn");
    ProfileFixture f = ProfileFixture.EC;
    assertEquals(0, Commands.run(dir, "openvpn", "--genkey", "secret", "tc.key").exitCode());
    ClientProfileInput input =
        f.input()
            .endpointHost("127.0.0.1")
            .openVpnUdpPort(0)
            .openVpnTcpPort(11196)
            .tlsCryptKey(Files.readString(dir.resolve("tc.key")))
            .passwordAuthentication(PasswordAuthentication.NONE)
            .build();
    Files.writeString(dir.resolve("client.ovpn"), OpenVpnProfileRenderer.render(input));
    try (NetnsLab lab = NetnsLab.create("ovpnparse", "10.211.3.0/24", "10.211.4.0/24")) {
      Netns ns = lab.gateway();
      // Nobody listens: openvpn parses, loads the credentials, fails to connect once and exits.
      var run =
          ns.run(
              dir,
              Duration.ofSeconds(30),
              "openvpn",
              "--config",
              "client.ovpn",
              "--verb",
              "4",
              "--connect-retry-max",
              "1",
              "--connect-retry",
              "1",
              "1");
      String log = run.output();
      assertFalse(log.contains("Options error"), log);
      assertTrue(
          log.contains("Outgoing Control Channel Encryption: Cipher 'AES-256-CTR'"),
          "tls-crypt loaded:\n" + log);
      assertTrue(log.contains("TCP: connect to [AF_INET]127.0.0.1:11196 failed"), log);
      assertTrue(log.contains("connect-retry-max (1) times unsuccessful"), log);
      assertTrue(List.of(0, 1).contains(run.exitCode()), log);
    }
  }
}
