package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.CertificateAuthority;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.pki.ServerCertificates;
import io.vpngateway.gateway.config.RuntimeConfig;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.management.ManagementServer;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator's client against the gateway's real management server over TLS, with a management
 * certificate of the gateway's CA: the metrics contract, the token, and no other CA accepted.
 */
class HttpManagementApiGatewayTest {
  static final String TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdl";

  @Test
  void readsTheRealGatewaysSessionGauge() throws Exception {
    SessionRegistry sessions = new SessionRegistry();
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("gw", KeySpec.EC_P256, now);
    ServerCertificates.ServerTls tls =
        ManagementTls.keepOrIssue(ca, Optional.empty(), "vpn", "gw", List.of(), now);
    var files =
        Optional.of(
            new RuntimeConfig.ManagementTlsFiles(
                List.of(Pem.decodeCertificate(tls.certificatePem())),
                Pem.decodePrivateKey(tls.keyPem())));
    try (ManagementServer server =
        ManagementServer.start(
            new ManagementServer.Listeners(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.of(() -> files),
                Optional.empty()),
            () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
            sessions,
            new GatewayMetrics(sessions),
            () -> true,
            List::of)) {
      var api = new HttpManagementApi(Duration.ofSeconds(5));
      var access = new ManagementApi.Access(TOKEN, ca.certificate(), ManagementTls.identity("vpn", "gw"));
      // every protocol the gateway knows, named as in the CR, with no client yet
      assertEquals(
          Map.of("OpenVPN", 0, "IKEv2", 0, "SSTP", 0),
          api.sessionsByProtocol(server.address(), access).get(20, TimeUnit.SECONDS));
      assertThrows(
          ExecutionException.class,
          () ->
              api.sessionsByProtocol(
                      server.address(),
                      new ManagementApi.Access(
                          "not-the-token-not-the-token", access.ca(), access.identity()))
                  .get(20, TimeUnit.SECONDS));
      // another gateway's CA: the TLS handshake fails before the token is sent
      CertificateAuthority other = CertificateAuthority.create("other", KeySpec.EC_P256, now);
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  api.sessionsByProtocol(
                          server.address(),
                          new ManagementApi.Access(TOKEN, other.certificate(), access.identity()))
                      .get(20, TimeUnit.SECONDS));
      assertTrue(
          e.getCause() instanceof javax.net.ssl.SSLHandshakeException, String.valueOf(e.getCause()));
    }
  }
}
