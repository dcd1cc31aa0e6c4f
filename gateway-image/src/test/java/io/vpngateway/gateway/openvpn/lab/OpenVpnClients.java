package io.vpngateway.gateway.openvpn.lab;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.openvpn.OpenVpnStaticKey;
import io.vpngateway.api.openvpn.TlsCryptV2Metadata;
import io.vpngateway.api.openvpn.TlsCryptV2ServerKey;
import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.gateway.standalone.StateDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Credentials and configs for real openvpn clients of a prepared gateway: certificates from the
 * gateway's own CA (its state directory), tls-crypt-v2 client keys wrapped with the gateway's own
 * server key, as {@code vpngw issue} makes them, plus the bad ones the refusal tests need (expired,
 * from another CA, wrapped with a key the gateway does not have).
 */
public final class OpenVpnClients {
  private final Path dir;
  private final CertificateAuthority ca;
  private final TlsCryptV2ServerKey serverKey;
  private final SecureRandom random = new SecureRandom();

  public OpenVpnClients(Path dir, StateDirectory gateway) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    this.ca = gateway.certificateAuthority();
    this.serverKey = TlsCryptV2ServerKey.parse(new String(
        gateway.readSecret(GatewayConfig.Files.defaults().tlsCryptV2ServerKey()),
        StandardCharsets.US_ASCII));
    Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
  }

  public Path dir() {
    return dir;
  }

  /** Issues a client certificate valid now and writes {@code <name>.pem} and {@code .key}. */
  public IssuedCertificate client(String name) throws IOException {
    return write(name, ca.issueClientCertificate(ClientCertificateRequest.of(name, List.of(),
        Duration.ofDays(2), KeySpec.EC_P256), Instant.now()));
  }

  /** A client certificate of the gateway's CA that expired yesterday. */
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
  public Path tlsCryptV2Key(String name) throws IOException {
    return writeKey(name + "-tcv2.key", serverKey, name);
  }

  /** A tls-crypt-v2 client key wrapped with a server key the gateway does not have. */
  public Path foreignTlsCryptV2Key(String name) throws IOException {
    return writeKey(name + "-foreign-tcv2.key", TlsCryptV2ServerKey.generate(random), name);
  }

  private Path writeKey(String file, TlsCryptV2ServerKey wrapper, String name)
      throws IOException {
    Path p = dir.resolve(file);
    Files.writeString(p, wrapper.wrap(OpenVpnStaticKey.generate(random),
        TlsCryptV2Metadata.user(name)).toPem());
    return p;
  }

  /**
   * Writes an openvpn client config for {@code name} (certificate, key and, unless {@code extra}
   * names another, its tls-crypt-v2 key) and returns its path.
   *
   * @param extra more config lines (cipher, TLS version, reneg-sec ...)
   */
  public Path config(String name, String proto, String remote, int port, String... extra)
      throws IOException {
    return config(name, true, proto, remote, port, extra);
  }

  /**
   * As {@link #config} without {@code cert} and {@code key}: a client that offers no certificate
   * (it needs {@code auth-user-pass} in {@code extra}, else openvpn refuses to start).
   */
  public Path configWithoutCertificate(
      String name, String proto, String remote, int port, String... extra) throws IOException {
    return config(name, false, proto, remote, port, extra);
  }

  private Path config(
      String name, boolean certificate, String proto, String remote, int port, String... extra)
      throws IOException {
    StringBuilder c = new StringBuilder();
    c.append("client\ndev tun\nproto ").append(proto).append('\n')
        .append("remote ").append(remote).append(' ').append(port).append('\n')
        .append("nobind\ndisable-dco\nremote-cert-tls server\nverb 3\n")
        .append("connect-retry 1\nserver-poll-timeout 10\nresolv-retry 0\n")
        .append("ca ").append(dir.resolve("ca.pem")).append('\n');
    if (certificate) {
      c.append("cert ").append(dir.resolve(name + ".pem")).append('\n')
          .append("key ").append(dir.resolve(name + ".key")).append('\n');
    }
    boolean ownKey = true;
    for (String line : extra) {
      ownKey &= !line.startsWith("tls-crypt");
      c.append(line).append('\n');
    }
    if (ownKey) {
      c.append("tls-crypt-v2 ").append(tlsCryptV2Key(name)).append('\n');
    }
    Path p = dir.resolve(name + "-" + proto + ".conf");
    Files.writeString(p, c.toString());
    return p;
  }
}
