package io.vpngateway.gateway.openvpn.lab;

import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.ServerCertificateRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Test credentials and configs for in-process OpenVPN tests (the shared-port test), made with a
 * lab CA of the project's own
 * ({@code io.vpngateway.api.pki}) and key formats ({@code io.vpngateway.api.openvpn}).
 */
public final class OpenVpnLabFiles {
  private final Path dir;
  private final CertificateAuthority ca;
  private final SecureRandom random = new SecureRandom();
  private final TlsCryptV2ServerKey v2ServerKey = TlsCryptV2ServerKey.generate(random);

  public OpenVpnLabFiles(Path dir, String gatewayIp) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    // valid from a week ago, so it can also issue a client certificate that has already expired
    ca = CertificateAuthority.create("lab", KeySpec.EC_P256,
        Instant.now().minus(Duration.ofDays(7)));
    IssuedCertificate server = ca.issueServerCertificate(new ServerCertificateRequest(
        "gateway.lab", List.of("gateway.lab"), List.of(gatewayIp), KeySpec.EC_P256,
        Duration.ofDays(2)), Instant.now());
    Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    Files.writeString(dir.resolve("server.pem"), Pem.encode(server.certificate()));
    Files.writeString(dir.resolve("server.key"), Pem.encode(server.privateKey()));
    Files.writeString(dir.resolve("tc.key"), OpenVpnStaticKey.generate(random).toPem());
    Files.writeString(dir.resolve("tcv2-server.key"), v2ServerKey.toPem());
  }

  public Path dir() {
    return dir;
  }

  /** Issues a client certificate and writes {@code <name>.pem} and {@code <name>.key}. */
  public IssuedCertificate client(String name) throws IOException {
    IssuedCertificate c = ca.issueClientCertificate(ClientCertificateRequest.of(name, List.of(),
        Duration.ofDays(2), KeySpec.EC_P256), Instant.now());
    Files.writeString(dir.resolve(name + ".pem"), Pem.encode(c.certificate()));
    Files.writeString(dir.resolve(name + ".key"), Pem.encode(c.privateKey()));
    return c;
  }

  /** A client certificate of the lab CA that expired yesterday. */
  public IssuedCertificate expiredClient(String name) throws IOException {
    return write(name, ca.issueClientCertificate(ClientCertificateRequest.of(name, List.of(),
        Duration.ofDays(1), KeySpec.EC_P256), Instant.now().minus(Duration.ofDays(2))));
  }

  /** A client certificate from a CA the gateway does not trust. */
  public IssuedCertificate clientOfAnotherCa(String name) throws IOException {
    CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256,
        Instant.now());
    return write(name, other.issueClientCertificate(ClientCertificateRequest.of(name, List.of(),
        Duration.ofDays(2), KeySpec.EC_P256), Instant.now()));
  }

  private IssuedCertificate write(String name, IssuedCertificate c) throws IOException {
    Files.writeString(dir.resolve(name + ".pem"), Pem.encode(c.certificate()));
    Files.writeString(dir.resolve(name + ".key"), Pem.encode(c.privateKey()));
    return c;
  }

  /** A tls-crypt-v2 client key for {@code name}, wrapped with the gateway's server key. */
  public Path tlsCryptV2ClientKey(String name) throws IOException {
    Path p = dir.resolve(name + "-tcv2.key");
    Files.writeString(p, v2ServerKey.wrap(OpenVpnStaticKey.generate(random),
        TlsCryptV2Metadata.user(name)).toPem());
    return p;
  }

  /** A tls-crypt key the gateway does not know. */
  public Path wrongTlsCryptKey() throws IOException {
    Path p = dir.resolve("wrong-tc.key");
    Files.writeString(p, OpenVpnStaticKey.generate(random).toPem());
    return p;
  }

  /**
   * Writes an openvpn client config and returns its path.
   *
   * @param extra more config lines (cipher, TLS version, tls-crypt, reneg-sec ...)
   */
  public Path clientConfig(String name, String proto, String remote, int port, String... extra)
      throws IOException {
    StringBuilder c = new StringBuilder();
    c.append("client\ndev tun\nproto ").append(proto).append('\n')
        .append("remote ").append(remote).append(' ').append(port).append('\n')
        .append("nobind\ndisable-dco\nremote-cert-tls server\nverb 3\n")
        .append("connect-retry 1\nserver-poll-timeout 10\nresolv-retry 0\n")
        .append("ca ").append(dir.resolve("ca.pem")).append('\n')
        .append("cert ").append(dir.resolve(name + ".pem")).append('\n')
        .append("key ").append(dir.resolve(name + ".key")).append('\n');
    for (String line : extra) {
      c.append(line).append('\n');
    }
    Path p = dir.resolve(name + "-" + proto + ".conf");
    Files.writeString(p, c.toString());
    return p;
  }
}
