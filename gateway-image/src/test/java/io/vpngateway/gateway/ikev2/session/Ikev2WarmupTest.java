package io.vpngateway.gateway.ikev2.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The start-up warm-up completes IKE_SA_INIT, IKE_AUTH (certificate) and Delete against its own
 * engine on the production policy, and leaves the production engine alone.
 */
class Ikev2WarmupTest {
  @ParameterizedTest
  @CsvSource({"aes256gcm16-prfsha384-ecp384, aes256gcm16, EC_P256",
      "aes256-sha256-modp2048, aes256-sha256, RSA_2048"})
  void completesTheHandshakesAsked(String ike, String esp, String serverKey) throws Exception {
    KeySpec spec = serverKey.equals("EC_P256") ? KeySpec.EC_P256 : KeySpec.RSA_2048;
    try (EngineHarness h = new EngineHarness(p -> p, spec)) {
      long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      assertEquals(3, Ikev2Warmup.run(h.engine.policy(), ike, esp, 3, later));
      assertEquals(0, Ikev2Warmup.run(h.engine.policy(), ike, esp, 3, System.nanoTime() - 1));
      // the production engine (the harness's) saw nothing: no session, no message
      assertEquals(0, h.registry.size());
      assertTrue(h.sent.isEmpty());
    }
  }

  @Test
  void aProposalTheGatewayRefusesFailsLoudly() {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> Ikev2Warmup.run(h.engine.policy(), "aes128-sha1-modp1024", "aes128-sha1", 1,
                  System.nanoTime() + TimeUnit.SECONDS.toNanos(60)));
      assertTrue(e.getMessage().contains("IKE_SA_INIT"), e.getMessage());
    }
  }
}
