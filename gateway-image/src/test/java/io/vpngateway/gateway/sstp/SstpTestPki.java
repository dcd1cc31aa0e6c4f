package io.vpngateway.gateway.sstp;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.ClientCertificateRequest;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.RotationPolicy;
import io.vpngateway.api.pki.ServerCertificateRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A gateway CA with a server certificate for SSTP tests (made once per JVM, EC P-256). */
public final class SstpTestPki {
  private static SstpTestPki instance;

  public final CertificateAuthority ca;
  public final IssuedCertificate server;

  private SstpTestPki() {
    Instant now = Instant.now();
    ca = CertificateAuthority.create("sstp-test", KeySpec.EC_P256, now);
    server =
        ca.issueServerCertificate(
            new ServerCertificateRequest(
                "sstp-test-server",
                List.of("localhost", "vpn.example.test"),
                List.of("127.0.0.1", "10.0.2.100"),
                KeySpec.EC_P256,
                Duration.ofDays(2)),
            now);
  }

  public static synchronized SstpTestPki get() {
    if (instance == null) {
      instance = new SstpTestPki();
    }
    return instance;
  }

  /** A client certificate from this CA with {@code groups}. */
  public IssuedCertificate client(String commonName, List<String> groups) {
    return ca.issueClientCertificate(
        new ClientCertificateRequest(
            commonName, groups, Duration.ofDays(1), KeySpec.EC_P256, RotationPolicy.ALWAYS, null),
        Instant.now());
  }
}
