package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ServerCertificateRequest;
import io.vpngateway.gateway.tls.ServerTlsContext;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The start-up warm-up completes real TLS handshakes on the server's own TLS context. */
class OpenVpnWarmupTest {
  @ParameterizedTest
  @CsvSource({"EC_P256, TLSv1.2, REQUIRED", "RSA_2048, TLSv1.3, REQUESTED",
      "EC_P256, TLSv1.3, REQUIRED"})
  void completesTheHandshakesAsked(String key, String minVersion, String mode) throws Exception {
    KeySpec spec = key.equals("EC_P256") ? KeySpec.EC_P256 : KeySpec.RSA_2048;
    CertificateAuthority ca = CertificateAuthority.create("gw", spec, Instant.now());
    IssuedCertificate server =
        ca.issueServerCertificate(
            new ServerCertificateRequest("vpn.example.com", List.of("vpn.example.com"),
                List.of(), spec, ServerCertificateRequest.DEFAULT_VALIDITY),
            Instant.now());
    ServerTlsContext tls =
        ServerTlsContext.create(List.of(server.certificate(), ca.certificate()),
            server.privateKey(), minVersion, List.of(),
            ServerTlsContext.ClientCertificates.valueOf(mode));

    long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    assertEquals(3, OpenVpnWarmup.run(tls, 3, later));
    assertEquals(0, OpenVpnWarmup.run(tls, 0, later));
    assertEquals(0, OpenVpnWarmup.run(tls, 3, System.nanoTime() - 1));
  }
}
