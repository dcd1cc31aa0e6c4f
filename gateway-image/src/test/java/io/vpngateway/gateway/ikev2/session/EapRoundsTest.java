package io.vpngateway.gateway.ikev2.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.message.ConfigPayload;
import io.vpngateway.gateway.ikev2.message.EapPayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * EAP in IKE_AUTH (RFC 7296 §2.16) through the gateway's EAP seam: a scripted EAP backend that
 * answers later, on its own thread (as the RADIUS relay does), an identity round, a challenge
 * round, then Success with an MSK; the AUTH payloads of both sides prove the MSK; a wrong answer
 * ends in EAP-Failure and no session. The real backend (the RADIUS relay against FreeRADIUS) is
 * tested with its own suite.
 */
class EapRoundsTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.20", 4500);
  private static final byte[] MSK = new byte[64];

  static {
    Arrays.fill(MSK, (byte) 0x5a);
  }

  /** Identity, then an "MD5-Challenge" whose right answer is the bytes of "s3cret". */
  private static final class ScriptedEap implements EapAuthenticator {
    final ScheduledExecutorService backend = Executors.newSingleThreadScheduledExecutor();
    final byte[] msk;
    volatile boolean closed;

    ScriptedEap() {
      this(MSK);
    }

    /** {@code msk} empty: a method that derives no keys. */
    ScriptedEap(byte[] msk) {
      this.msk = msk;
    }

    @Override
    public EapConversation start(ClientInfo client, Optional<String> identityHint) {
      return new EapConversation() {
        String user = "";

        @Override
        public CompletionStage<Step> begin() {
          return later(new Step.Send(new byte[] {1, 1, 0, 5, 1}));
        }

        @Override
        public CompletionStage<Step> receive(byte[] p) {
          if (p[1] == 1) {
            user = new String(p, 5, p.length - 5, StandardCharsets.UTF_8);
            return later(new Step.Send(new byte[] {1, 2, 0, 6, 4, 9}));
          }
          byte[] answer = Arrays.copyOfRange(p, 5, p.length);
          if (Arrays.equals(answer, "s3cret".getBytes(StandardCharsets.UTF_8))) {
            return later(new Step.Success(new byte[] {3, 2, 0, 4}, SecretBytes.of(msk),
                ClientIdentity.of(user, List.of("engineering"), AuthMethod.RADIUS, "scripted")));
          }
          return later(new Step.Failure(new byte[] {4, 2, 0, 4}, RefusalReason.BAD_CREDENTIALS,
              "wrong answer"));
        }

        @Override
        public void close() {
          closed = true;
        }
      };
    }

    private CompletionStage<EapConversation.Step> later(EapConversation.Step step) {
      CompletableFuture<EapConversation.Step> f = new CompletableFuture<>();
      backend.schedule(() -> f.complete(step), 20, TimeUnit.MILLISECONDS);
      return f;
    }
  }

  private static byte[] eap(int code, int id, int type, byte[] data) {
    byte[] p = new byte[5 + data.length];
    p[0] = (byte) code;
    p[1] = (byte) id;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[4] = (byte) type;
    System.arraycopy(data, 0, p, 5, data.length);
    return p;
  }

  private static IkeMessage round(EngineHarness h, LoopbackInitiator c, byte[] eapPacket)
      throws Exception {
    return c.open(h.exchange(c.request(ExchangeType.IKE_AUTH, List.of(new EapPayload(eapPacket))),
        CLIENT, true));
  }

  @Test
  void eapRoundsThenMskAuthAdmitTheClientWithTheBackendsIdentity() throws Exception {
    ScriptedEap backend = new ScriptedEap();
    try (EngineHarness h = new EngineHarness(p -> p, KeySpec.EC_P256, backend)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      IkeMessage first = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, c.eapFirstPayloads("alice@corp", EngineHarness.ESP)),
          CLIENT, true));
      c.verifyGatewayAuth(first, h.server.certificate().getPublicKey());
      c.gatewayIdr = first.id(false).orElseThrow();
      assertArrayEquals(new byte[] {1, 1, 0, 5, 1},
          first.first(EapPayload.class).orElseThrow().message(), "EAP-Request/Identity");

      IkeMessage challenge = round(h, c, eap(2, 1, 1, "alice".getBytes(StandardCharsets.UTF_8)));
      assertEquals(4, challenge.first(EapPayload.class).orElseThrow().message()[4]);
      IkeMessage success = round(h, c, eap(2, 2, 4, "s3cret".getBytes(StandardCharsets.UTF_8)));
      assertEquals(3, success.first(EapPayload.class).orElseThrow().message()[0], "EAP-Success");
      assertEquals(0, h.registry.size(), "not admitted before the MSK is proven");

      IkeMessage last = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, List.of(c.micAuth(MSK))), CLIENT, true));
      assertTrue(last.firstError().isEmpty(), last.toString());
      assertTrue(c.gatewayMicMatches(last, MSK), "the gateway proves the MSK too");
      assertTrue(last.first(ConfigPayload.class).isPresent());
      TunnelSession s = h.registry.all().iterator().next();
      assertEquals("alice", s.identity().name());
      assertEquals(AuthMethod.RADIUS, s.identity().method());
      assertTrue(backend.closed, "the conversation is released once done");
    } finally {
      backend.backend.shutdownNow();
    }
  }

  /**
   * A reload that turns RADIUS off on this certificate gateway while the EAP login is under way:
   * the client proves the MSK after it, and is refused (NoClientCertificate) instead of admitted
   * under the rules it started with.
   */
  @Test
  void aReloadDuringTheEapLoginHoldsItToTheNewRules() throws Exception {
    ScriptedEap backend = new ScriptedEap();
    try (EngineHarness h = new EngineHarness(p -> p, KeySpec.EC_P256, backend)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      IkeMessage first = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, c.eapFirstPayloads("alice@corp", EngineHarness.ESP)),
          CLIENT, true));
      c.gatewayIdr = first.id(false).orElseThrow();
      round(h, c, eap(2, 1, 1, "alice".getBytes(StandardCharsets.UTF_8)));
      IkeMessage success = round(h, c, eap(2, 2, 4, "s3cret".getBytes(StandardCharsets.UTF_8)));
      assertEquals(3, success.first(EapPayload.class).orElseThrow().message()[0], "EAP-Success");

      h.radiusOn = false; // the reload

      IkeMessage last = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, List.of(c.micAuth(MSK))), CLIENT, true));
      assertTrue(last.firstError().isPresent(), "refused: " + last);
      h.sync();
      assertEquals(0, h.registry.size());
      assertEquals(1, h.metrics.handshakes(io.vpngateway.api.v1alpha1.spec.VpnProtocol.IKEv2,
          "failed", "NoClientCertificate"));
    } finally {
      backend.backend.shutdownNow();
    }
  }

  @Test
  void aWrongAnswerEndsInEapFailureAndNoSession() throws Exception {
    ScriptedEap backend = new ScriptedEap();
    try (EngineHarness h = new EngineHarness(p -> p, KeySpec.EC_P256, backend)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      c.open(h.exchange(c.request(ExchangeType.IKE_AUTH,
          c.eapFirstPayloads("bob", EngineHarness.ESP)), CLIENT, true));
      round(h, c, eap(2, 1, 1, "bob".getBytes(StandardCharsets.UTF_8)));
      IkeMessage failure = round(h, c, eap(2, 2, 4, "guess".getBytes(StandardCharsets.UTF_8)));
      assertEquals(4, failure.first(EapPayload.class).orElseThrow().message()[0], "EAP-Failure");
      h.sync();
      assertEquals(0, h.registry.size());
      assertEquals(0, h.engine.ikeSaCount(), "the IKE SA is gone");
      assertTrue(backend.closed);
      assertEquals(1, h.metrics.handshakes(io.vpngateway.api.v1alpha1.spec.VpnProtocol.IKEv2,
          "failed", "BadCredentials"));
    } finally {
      backend.backend.shutdownNow();
    }
  }

  @Test
  void aForgedMskProofIsRefused() throws Exception {
    ScriptedEap backend = new ScriptedEap();
    try (EngineHarness h = new EngineHarness(p -> p, KeySpec.EC_P256, backend)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      c.open(h.exchange(c.request(ExchangeType.IKE_AUTH,
          c.eapFirstPayloads("carol", EngineHarness.ESP)), CLIENT, true));
      round(h, c, eap(2, 1, 1, "carol".getBytes(StandardCharsets.UTF_8)));
      round(h, c, eap(2, 2, 4, "s3cret".getBytes(StandardCharsets.UTF_8)));
      byte[] wrong = MSK.clone();
      wrong[0] ^= 1;
      IkeMessage m = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, List.of(c.micAuth(wrong))), CLIENT, true));
      assertTrue(m.notify(NotifyType.AUTHENTICATION_FAILED).isPresent(), m.toString());
      assertEquals(0, h.registry.size());
    } finally {
      backend.backend.shutdownNow();
    }
  }

  @Test
  void withoutAnEapBackendTheClientIsRefused() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      IkeMessage m = c.open(h.exchange(c.request(ExchangeType.IKE_AUTH,
          c.eapFirstPayloads("dave", EngineHarness.ESP)), CLIENT, true));
      assertTrue(m.notify(NotifyType.AUTHENTICATION_FAILED).isPresent(), m.toString());
      assertEquals(1, h.metrics.handshakes(io.vpngateway.api.v1alpha1.spec.VpnProtocol.IKEv2,
          "failed", "AuthMethodNotSupported"));
    }
  }
  @Test
  void aMethodWithoutKeysProvesSkPiAndSkPr() throws Exception {
    // RFC 7296 §2.16: without an MSK both AUTH payloads are keyed with SK_pi and SK_pr
    ScriptedEap backend = new ScriptedEap(new byte[0]);
    try (EngineHarness h = new EngineHarness(p -> p, KeySpec.EC_P256, backend)) {
      LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      IkeMessage first = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, c.eapFirstPayloads("bob", EngineHarness.ESP)),
          CLIENT, true));
      c.gatewayIdr = first.id(false).orElseThrow();
      round(h, c, eap(2, 1, 1, "bob".getBytes(StandardCharsets.UTF_8)));
      round(h, c, eap(2, 2, 4, "s3cret".getBytes(StandardCharsets.UTF_8)));
      byte[] skPi = c.keys.skPi().clone();
      IkeMessage last = c.open(h.exchange(
          c.request(ExchangeType.IKE_AUTH, List.of(c.micAuth(skPi))), CLIENT, true));
      assertTrue(last.firstError().isEmpty(), last.toString());
      assertTrue(c.gatewayMicMatches(last, c.keys.skPr().clone()), "the gateway's AUTH by SK_pr");
      assertEquals(1, h.registry.size());
    } finally {
      backend.backend.shutdownNow();
    }
  }

  @Test
  void mschapv2KeysMoveTogetherIntoTheIkeMsk() {
    // what RadiusEapBackend hands over for EAP-MSCHAPv2: two 16-octet MPPE keys in 32-octet halves
    byte[] recv = new byte[16];
    byte[] send = new byte[16];
    Arrays.fill(recv, (byte) 0x11);
    Arrays.fill(send, (byte) 0x22);
    byte[] halves = new byte[64];
    System.arraycopy(recv, 0, halves, 0, 16);
    System.arraycopy(send, 0, halves, 32, 16);
    byte[] expected = new byte[64];
    System.arraycopy(recv, 0, expected, 0, 16);
    System.arraycopy(send, 0, expected, 16, 16);
    assertArrayEquals(expected, EapRounds.ikeMsk(halves.clone(), EapRounds.EAP_MSCHAPV2));
    // another method (EAP-TLS: 32-octet keys fill the halves) keeps its MSK as it is
    assertArrayEquals(halves, EapRounds.ikeMsk(halves.clone(), 13));
    byte[] full = MSK.clone();
    assertArrayEquals(MSK, EapRounds.ikeMsk(full, EapRounds.EAP_MSCHAPV2));
  }
}
