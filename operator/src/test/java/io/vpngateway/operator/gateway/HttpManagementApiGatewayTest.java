package io.vpngateway.operator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.management.ManagementServer;
import io.vpngateway.gateway.metrics.GatewayMetrics;
import io.vpngateway.gateway.session.SessionRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The operator's client against the gateway's real management server: the metrics contract. */
class HttpManagementApiGatewayTest {
  static final String TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdl";

  @Test
  void readsTheRealGatewaysSessionGauge() throws Exception {
    SessionRegistry sessions = new SessionRegistry();
    try (ManagementServer server =
        ManagementServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            () -> SecretBytes.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
            sessions,
            new GatewayMetrics(sessions),
            () -> true)) {
      var api = new HttpManagementApi(Duration.ofSeconds(2));
      // every protocol the gateway knows, named as in the CR, with no client yet
      assertEquals(
          Map.of("OpenVPN", 0, "IKEv2", 0, "SSTP", 0),
          api.sessionsByProtocol(server.address(), TOKEN).get(5, TimeUnit.SECONDS));
      assertThrows(
          ExecutionException.class,
          () ->
              api.sessionsByProtocol(server.address(), "not-the-token-not-the-token")
                  .get(5, TimeUnit.SECONDS));
    }
  }
}
