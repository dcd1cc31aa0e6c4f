package io.vpngateway.gateway.ikev2.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.ikev2.crypto.ChildSaKeys;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.EncryptionAlgorithm;
import io.vpngateway.gateway.ikev2.crypto.EspEncryptor;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.Proposal;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.metrics.PrometheusTextWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A deleted CHILD_SA keeps receiving for {@link IkeEngine#INBOUND_GRACE_NANOS}: the peer's packets
 * sent on it just before the Delete (or reordered behind it) are delivered and counted, and
 * refused once the grace is over. Time is handed to the expiry explicitly, nothing sleeps.
 */
class ChildSaGraceTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.9", 4500);
  private static final EspSuite GCM256 = new EspSuite(EncryptionAlgorithm.AES_GCM_16, 256, null,
      null);

  /** A connected client: its IKE state, its sealer for the gateway's inbound SPI. */
  private record Client(LoopbackInitiator ike, EspEncryptor up, int gatewaySpi) {}

  private static Client connect(EngineHarness h) throws Exception {
    LoopbackInitiator c = new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
    c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
    assertNotNull(c.protector, "IKE_SA_INIT answered");
    IkeMessage answer = c.open(h.exchange(
        c.request(ExchangeType.IKE_AUTH,
            c.authPayloads(h.client("carol", KeySpec.EC_P256), EngineHarness.ESP)),
        CLIENT, true));
    assertTrue(answer.firstError().isEmpty(), answer.toString());
    int gatewaySpi =
        (int) answer.first(SaPayload.class).orElseThrow().proposals().get(0).spiValue();
    ChildSaKeys keys = c.childKeys(GCM256);
    EspEncryptor up = new EspEncryptor(gatewaySpi, GCM256,
        keys.encryptionInitiatorToResponder(), keys.integrityInitiatorToResponder());
    return new Client(c, up, gatewaySpi);
  }

  /** Seals one inner packet from the client and hands it to the engine's receive path. */
  private static boolean send(EngineHarness h, Client c) throws Exception {
    ByteBuffer wire = ByteBuffer.allocate(2048);
    c.up().seal(ByteBuffer.wrap(ipv4()), wire, ByteBuffer.allocate(2048));
    return h.engine.receiveEsp(wire, ByteBuffer.allocate(2048));
  }

  /** The client deletes its CHILD_SA (RFC 7296 §1.4.1); the gateway answers with its own SPI. */
  private static void deleteChild(EngineHarness h, Client c) throws Exception {
    IkeMessage answer = c.ike().open(h.exchange(
        c.ike().request(ExchangeType.INFORMATIONAL,
            List.of(DeletePayload.esp(List.of(c.ike().inboundSpi)))),
        CLIENT, true));
    DeletePayload d = answer.first(DeletePayload.class).orElseThrow();
    assertEquals(Proposal.ESP, d.protocolId());
    assertEquals(List.of(c.gatewaySpi()), d.spis(), "the gateway deletes its half too");
  }

  /** The IKEv2 families the protocol server adds to /metrics. */
  private static String metrics(EngineHarness h) {
    PrometheusTextWriter w = new PrometheusTextWriter();
    h.engine.stats().writeMetrics(w);
    return w.toString();
  }

  private static void expireAt(EngineHarness h, long nanos) throws Exception {
    h.engine.runOnControlThread(() -> h.engine.expireRetiredChildSas(nanos));
    h.sync();
  }

  @Test
  void aDeletedChildSaReceivesDuringItsGraceAndNotAfter() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      Client c = connect(h);
      assertTrue(send(h, c));
      assertArrayEquals(ipv4(), h.toTun.poll(1, TimeUnit.SECONDS));

      long deletedAt = System.nanoTime();
      deleteChild(h, c);
      h.sync();

      // a packet the client sent before it removed its SA arrives after the Delete
      assertTrue(send(h, c), "accepted within the grace");
      assertArrayEquals(ipv4(), h.toTun.poll(1, TimeUnit.SECONDS), "and delivered to TUN");
      assertEquals(1, h.engine.stats().espOnRetiredSa.sum(), "counted as received while retired");
      assertTrue(
          metrics(h).contains("# TYPE vpngw_ikev2_esp_on_retired_sa_total counter\n"
              + "vpngw_ikev2_esp_on_retired_sa_total 1\n"),
          "exported in /metrics: " + metrics(h));

      expireAt(h, System.nanoTime());
      assertTrue(send(h, c), "the grace is not over yet");

      expireAt(h, deletedAt + IkeEngine.INBOUND_GRACE_NANOS + TimeUnit.SECONDS.toNanos(1));
      assertFalse(send(h, c), "refused once the grace is over");
      assertEquals(1, h.engine.stats().espUnknownSpi.sum(), "as an unknown SPI");
      assertEquals(2, h.engine.stats().espOnRetiredSa.sum());
      assertTrue(metrics(h).contains("\nvpngw_ikev2_esp_on_retired_sa_total 2\n"), metrics(h));
      assertEquals(1, h.registry.size(), "deleting a CHILD_SA does not end the session");
    }
  }

  @Test
  void aRetiredChildSaStopsAtOnceWhenItsSessionEnds() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      Client c = connect(h);
      deleteChild(h, c);
      h.sync();
      assertTrue(send(h, c), "in its grace");

      // the client deletes the IKE SA: its inner address may go to someone else right away
      c.ike().open(h.exchange(
          c.ike().request(ExchangeType.INFORMATIONAL, List.of(DeletePayload.ikeSa())), CLIENT,
          true));
      h.sync();
      assertEquals(0, h.registry.size());
      assertFalse(send(h, c), "no packet of an ended session reaches TUN, grace or not");
      assertEquals(1, h.engine.stats().espUnknownSpi.sum());
    }
  }

  private static byte[] ipv4() {
    byte[] p = new byte[28];
    p[0] = 0x45;
    p[3] = 28;
    p[8] = 64;
    p[9] = 17;
    byte[] src = {10, (byte) 203, 0, 2};
    byte[] dst = {10, 96, 0, 1};
    System.arraycopy(src, 0, p, 12, 4);
    System.arraycopy(dst, 0, p, 16, 4);
    return p;
  }
}
