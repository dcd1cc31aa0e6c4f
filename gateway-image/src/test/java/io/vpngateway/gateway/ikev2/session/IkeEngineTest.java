package io.vpngateway.gateway.ikev2.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.IssuedCertificate;
import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.ikev2.crypto.ChildSaKeys;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.crypto.EncryptionAlgorithm;
import io.vpngateway.gateway.ikev2.crypto.EspDecryptor;
import io.vpngateway.gateway.ikev2.crypto.EspEncryptor;
import io.vpngateway.gateway.ikev2.crypto.EspSuite;
import io.vpngateway.gateway.ikev2.message.ConfigAttribute;
import io.vpngateway.gateway.ikev2.message.ConfigPayload;
import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.PayloadType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import io.vpngateway.gateway.ikev2.message.SaPayload;
import io.vpngateway.gateway.ikev2.message.UnknownPayload;
import io.vpngateway.gateway.session.TunnelSession;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The responder engine driven in-process by {@link LoopbackInitiator}: the full certificate handshake
 * and ESP both ways, then every protective behaviour a real client does not exercise: cookies
 * (RFC 7296 §2.6), the bounded half-open table, INVALID_KE_PAYLOAD, retransmissions, fragmented
 * IKE_AUTH (RFC 7383) and a stream of malformed, replayed and forged messages, each answered or
 * dropped and counted, with the engine still serving afterwards.
 */
class IkeEngineTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 4500);

  private static LoopbackInitiator initiator(InetSocketAddress from) {
    return new LoopbackInitiator(from, EngineHarness.GATEWAY, EngineHarness.IKE);
  }

  /** IKE_SA_INIT + IKE_AUTH; returns the IKE_AUTH answer. */
  private static IkeMessage connect(EngineHarness h, LoopbackInitiator c, IssuedCertificate cert,
      boolean fragment) throws Exception {
    c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, fragment), c.address, false));
    assertNotNull(c.protector, "IKE_SA_INIT answered");
    List<IkePayload> auth = c.authPayloads(cert, EngineHarness.ESP);
    if (!fragment) {
      return c.open(h.exchange(c.request(ExchangeType.IKE_AUTH, auth), c.address, true));
    }
    for (byte[] f : c.requestFragmented(ExchangeType.IKE_AUTH, auth, 400)) {
      h.engine.submit(f, c.address, true);
    }
    List<byte[]> answer = h.drainIke(1500);
    if (answer.size() == 1) {
      return c.open(answer.get(0));
    }
    ByteBuffer all = ByteBuffer.allocate(65536);
    int first = -1;
    IkeHeader header = null;
    for (byte[] a : answer) {
      ReceivedIkeMessage m = ReceivedIkeMessage.decode(a);
      assertEquals(PayloadType.SKF, m.header().nextPayload());
      header = m.header();
      if (m.encrypted().fragmentNumber() == 1) {
        first = m.encrypted().firstInnerPayload();
      }
      all.put(c.protector.open(m));
    }
    all.flip();
    return new IkeMessage(header,
        io.vpngateway.gateway.ikev2.message.IkePayloadCodec.decode(first, all, false).payloads());
  }

  @Test
  void certificateHandshakeEstablishesASessionAndEspFlowsBothWays() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      IkeMessage answer = connect(h, c, alice, false);
      assertTrue(answer.firstError().isEmpty(), answer.toString());
      c.verifyGatewayAuth(answer, h.server.certificate().getPublicKey());
      ConfigPayload cfg = answer.first(ConfigPayload.class).orElseThrow();
      assertEquals(ConfigPayload.CFG_REPLY, cfg.cfgType());
      byte[] address = cfg.attributes().stream()
          .filter(a -> a.attributeType() == ConfigAttribute.INTERNAL_IP4_ADDRESS).findFirst()
          .orElseThrow().value();
      assertEquals("10.203.0.2", java.net.InetAddress.getByAddress(address).getHostAddress());
      assertTrue(cfg.has(ConfigAttribute.INTERNAL_IP4_DNS));
      assertEquals("[10.96.0.0-10.111.255.255]",
          answer.ts(false).orElseThrow().selectors().toString(), "narrowed to the routes");
      assertEquals("[10.203.0.2-10.203.0.2]", answer.ts(true).orElseThrow().selectors().toString());
      assertEquals(1, h.registry.size());
      TunnelSession session = h.registry.all().iterator().next();
      assertEquals("alice", session.identity().name());
      assertEquals(List.of("engineering"), session.identity().groups());

      // ESP from the client reaches TUN; TUN traffic reaches the client
      EspSuite suite = new EspSuite(EncryptionAlgorithm.AES_GCM_16, 256, null, null);
      ChildSaKeys keys = c.childKeys(suite);
      int gatewaySpi = (int) answer.first(SaPayload.class).orElseThrow().proposals().get(0)
          .spiValue();
      EspEncryptor up = new EspEncryptor(gatewaySpi, suite,
          keys.encryptionInitiatorToResponder(), keys.integrityInitiatorToResponder());
      byte[] inner = ipv4("10.203.0.2", "10.96.0.1");
      ByteBuffer wire = ByteBuffer.allocate(2048);
      up.seal(ByteBuffer.wrap(inner), wire, ByteBuffer.allocate(2048));
      assertTrue(h.engine.receiveEsp(wire, ByteBuffer.allocate(2048)));
      assertArrayEquals(inner, h.toTun.poll(1, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(!h.engine.receiveEsp(ByteBuffer.wrap(wire.array(), 0, wire.limit()),
          ByteBuffer.allocate(2048)), "a replayed ESP packet is dropped");
      assertEquals(1, h.engine.stats().espReplays.sum(), "and counted as a replay");
      assertEquals(0, h.engine.stats().espAuthFailures.sum());

      byte[] down = ipv4("10.96.0.1", "10.203.0.2");
      session.deliverFromTun(ByteBuffer.wrap(down));
      EngineHarness.Sent esp = h.sent.poll(1, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(esp.esp());
      EspDecryptor open = new EspDecryptor(c.inboundSpi, suite,
          keys.encryptionResponderToInitiator(), keys.integrityResponderToInitiator());
      ByteBuffer plain = ByteBuffer.allocate(2048);
      open.open(ByteBuffer.wrap(esp.bytes()), plain);
      byte[] got = new byte[plain.remaining()];
      plain.get(got);
      assertArrayEquals(down, got);
      assertEquals(CLIENT, esp.to(), "ESP goes to the NAT-T address the client used");

      // the client deletes the IKE SA: the session ends and its address is free again
      IkeMessage deleted = c.open(h.exchange(
          c.request(ExchangeType.INFORMATIONAL, List.of(DeletePayload.ikeSa())), CLIENT, true));
      assertTrue(deleted.payloads().isEmpty());
      h.sync();
      assertEquals(0, h.registry.size());
    }
  }

  @Test
  void aHandshakeRunsInlineOnTheReceivingThreadAndTheDpdProbeComesWhenDue() throws Exception {
    Duration dpdDelay = Duration.ofSeconds(1);
    try (EngineHarness h = new EngineHarness(
        p -> EngineHarnessPolicies.dpd(p, dpdDelay, Duration.ofSeconds(10)))) {
      LoopbackInitiator c = initiator(CLIENT);
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      await().atMost(Duration.ofSeconds(10)).until(h.engine::quiet);
      h.engine.receive(c.initRequest(DhGroup.ECP_384, null, false), c.address, false);
      assertEquals(Thread.currentThread(), h.lastIkeSender, "IKE_SA_INIT answered inline");
      c.onInitResponse(h.nextIke(5000));
      assertNotNull(c.protector, "IKE_SA_INIT answered");
      byte[] auth = c.request(ExchangeType.IKE_AUTH, c.authPayloads(alice, EngineHarness.ESP));
      // the first IKE SA of an idle engine woke the control thread to arm its timers; once that
      // is done nothing is queued and the next message runs inline again
      await().atMost(Duration.ofSeconds(10)).until(h.engine::quiet);
      long established = System.nanoTime(); // the last message from the client arrives
      h.engine.receive(auth, c.address, true);
      assertEquals(Thread.currentThread(), h.lastIkeSender, "IKE_AUTH answered inline");
      IkeMessage answer = c.open(h.nextIke(5000));
      assertTrue(answer.firstError().isEmpty(), answer.toString());
      assertEquals(1, h.registry.size());

      // no client traffic: the control thread's timer sends the liveness check when it is due
      byte[] probe = h.nextIke(10_000);
      long probed = System.nanoTime();
      assertNotNull(probe, "no DPD probe");
      IkeHeader header = ReceivedIkeMessage.decode(probe).header();
      assertEquals(ExchangeType.INFORMATIONAL, header.exchangeType());
      assertFalse(header.isResponse());
      assertTrue(probed - established >= dpdDelay.toNanos(), "probed before the DPD delay");
      assertEquals("ikev2-control", h.lastIkeSender.getName());
    }
  }

  @Test
  void theNextDueTimeIsTheHalfOpenExpiryThenDpdThenNothing() throws Exception {
    long thirty = Duration.ofSeconds(30).toNanos(); // the harness's half-open timeout and DPD delay
    try (EngineHarness h = new EngineHarness(p -> p)) {
      assertEquals(ControlLoop.NEVER, nextDue(h), "no IKE SA: nothing timed");
      LoopbackInitiator c = initiator(CLIENT);
      long before = System.nanoTime();
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), c.address, false));
      long after = System.nanoTime();
      long due = nextDue(h);
      assertTrue(due - (before + thirty) >= 0 && due - (after + thirty) <= 0, "half-open expiry");

      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      byte[] auth = c.request(ExchangeType.IKE_AUTH, c.authPayloads(alice, EngineHarness.ESP));
      before = System.nanoTime();
      IkeMessage answer = c.open(h.exchange(auth, c.address, true));
      after = System.nanoTime();
      assertTrue(answer.firstError().isEmpty(), answer.toString());
      due = nextDue(h);
      // lifetimes are hours: the DPD probe after 30 s without anything from the client is next
      assertTrue(due - (before + thirty) >= 0 && due - (after + thirty) <= 0, "DPD");

      c.open(h.exchange(
          c.request(ExchangeType.INFORMATIONAL, List.of(DeletePayload.ikeSa())), CLIENT, true));
      h.sync();
      assertEquals(ControlLoop.NEVER, nextDue(h), "deleted by the client: nothing timed");
    }
  }

  /** The engine's next due time, asked under the engine lock on the control thread. */
  private static long nextDue(EngineHarness h) throws Exception {
    java.util.concurrent.atomic.AtomicLong due = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    h.engine.afterQueuedDatagrams(() -> {
      due.set(h.engine.nextDueNanos(System.nanoTime()));
      done.countDown();
    });
    assertTrue(done.await(5, java.util.concurrent.TimeUnit.SECONDS));
    return due.get();
  }

  @Test
  void retransmittedRequestsGetTheSameAnswer() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      byte[] init = c.initRequest(DhGroup.ECP_384, null, false);
      byte[] first = h.exchange(init, CLIENT, false);
      assertArrayEquals(first, h.exchange(init, CLIENT, false));
      c.onInitResponse(first);
      byte[] auth = c.request(ExchangeType.IKE_AUTH, c.authPayloads(h.client("bob",
          KeySpec.EC_P256), EngineHarness.ESP));
      byte[] a1 = h.exchange(auth, CLIENT, true);
      byte[] a2 = h.exchange(auth, CLIENT, true);
      assertArrayEquals(a1, a2);
      assertEquals(2, h.stats.retransmitsAnswered.sum());
      assertEquals(1, h.registry.size(), "one session, not two");
    }
  }

  @Test
  void cookiesAreRequiredAboveTheThreshold() throws Exception {
    try (EngineHarness h = new EngineHarness(EngineHarnessPolicies::cookiesAlways)) {
      LoopbackInitiator c = initiator(CLIENT);
      IkeMessage challenge =
          ReceivedIkeMessage.decode(h.exchange(c.initRequest(DhGroup.ECP_384, null, false),
              CLIENT, false)).clear();
      byte[] cookie = challenge.notify(NotifyType.COOKIE).orElseThrow().data();
      assertEquals(1, challenge.payloads().size(), "a cookie request carries nothing else");
      assertEquals(0, challenge.header().responderSpi(), "and creates no state");
      h.sync();
      assertEquals(0, h.engine.halfOpen.size());

      byte[] forged = cookie.clone();
      forged[10] ^= 1;
      IkeMessage again = ReceivedIkeMessage.decode(
          h.exchange(c.initRequest(DhGroup.ECP_384, forged, false), CLIENT, false)).clear();
      assertTrue(again.notify(NotifyType.COOKIE).isPresent(), "a wrong cookie is challenged again");

      IkeMessage ok = c.onInitResponse(
          h.exchange(c.initRequest(DhGroup.ECP_384, cookie, false), CLIENT, false));
      assertTrue(ok.first(SaPayload.class).isPresent(), ok.toString());
      assertTrue(h.stats.cookiesSent.sum() >= 2);
      // another source cannot reuse the cookie
      LoopbackInitiator other = initiator(new InetSocketAddress("198.51.100.8", 500));
      IkeMessage stolen = ReceivedIkeMessage.decode(h.exchange(
          other.initRequest(DhGroup.ECP_384, cookie, false), other.address, false)).clear();
      assertTrue(stolen.notify(NotifyType.COOKIE).isPresent());
    }
  }

  @Test
  void halfOpenTableIsBoundedInTotalAndPerSource() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      // 8 per source, 16 in total (EngineHarness), cookies only at 1000
      for (int i = 0; i < 12; i++) {
        h.engine.submit(initiator(CLIENT).initRequest(DhGroup.ECP_384, null, false), CLIENT,
            false);
      }
      h.sync();
      assertEquals(8, h.engine.halfOpen.size());
      assertEquals(4, h.stats.halfOpenDropped.sum());
      for (int i = 0; i < 20; i++) {
        InetSocketAddress from = new InetSocketAddress("203.0.113." + (i + 1), 500);
        h.engine.submit(initiator(from).initRequest(DhGroup.ECP_384, null, false), from, false);
      }
      h.sync();
      assertEquals(16, h.engine.halfOpen.size());
      assertEquals(4 + 12, h.stats.halfOpenDropped.sum());
    }
  }

  @Test
  void aKeForAnotherGroupGetsInvalidKeWithOurs() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      IkeMessage m = ReceivedIkeMessage.decode(
          h.exchange(c.initRequest(DhGroup.ECP_256, null, false), CLIENT, false)).clear();
      NotifyPayload n = m.notify(NotifyType.INVALID_KE_PAYLOAD).orElseThrow();
      assertArrayEquals(new byte[] {0, 20}, n.data(), "ECP-384, our first group");
      // the client retries with that group and gets through
      assertTrue(c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT,
          false)).first(SaPayload.class).isPresent());
    }
  }

  @Test
  void noCommonProposalIsNoProposalChosen() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c =
          new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, List.of("aes128-sha1-modp1024"));
      IkeMessage m = ReceivedIkeMessage.decode(
          h.exchange(c.initRequest(DhGroup.MODP_1024, null, false), CLIENT, false)).clear();
      assertTrue(m.notify(NotifyType.NO_PROPOSAL_CHOSEN).isPresent(), m.toString());
    }
  }

  @Test
  void fragmentedIkeAuthIsReassembledAndTheAnswerFragmented() throws Exception {
    try (EngineHarness h = new EngineHarness(EngineHarnessPolicies::smallFragments,
        KeySpec.RSA_2048)) {
      LoopbackInitiator c = initiator(CLIENT);
      IssuedCertificate rsa = h.client("carol", KeySpec.RSA_2048);
      IkeMessage answer = connect(h, c, rsa, true);
      assertTrue(answer.firstError().isEmpty(), answer.toString());
      c.verifyGatewayAuth(answer, h.server.certificate().getPublicKey());
      assertEquals(1, h.registry.size());
    }
  }

  @Test
  void anIncompleteFragmentedRequestIsNotAnsweredUntilItIsWhole() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, true), CLIENT, false));
      List<byte[]> fragments = c.requestFragmented(ExchangeType.IKE_AUTH,
          c.authPayloads(h.client("alice", KeySpec.EC_P256), EngineHarness.ESP), 300);
      assertTrue(fragments.size() >= 3, "fragments: " + fragments.size());
      // all but the last, one of them twice, and a truncated copy of the last
      for (int i = 0; i < fragments.size() - 1; i++) {
        h.engine.submit(fragments.get(i), CLIENT, true);
      }
      h.engine.submit(fragments.get(0), CLIENT, true);
      byte[] last = fragments.get(fragments.size() - 1);
      h.engine.submit(java.util.Arrays.copyOf(last, last.length - 7), CLIENT, true);
      h.sync();
      assertTrue(h.drainIke(300).isEmpty(), "no answer to an incomplete message");
      assertEquals(0, h.registry.size());
      assertTrue(h.stats.malformed.sum() >= 1, "the truncated fragment is counted");
      // the client retransmits the whole message: now it is answered
      for (byte[] f : fragments) {
        h.engine.submit(f, CLIENT, true);
      }
      assertFalse(h.drainIke(1500).isEmpty());
      assertEquals(1, h.registry.size());
    }
  }

  @Test
  void aForgedAuthIsAuthenticationFailedAndLeavesNothing() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      IssuedCertificate mallory = h.client("mallory", KeySpec.EC_P256);
      // mallory's certificate, alice's key: the signature does not verify
      List<IkePayload> p = new ArrayList<>(c.authPayloads(
          new IssuedCertificate(mallory.certificate(), alice.privateKey(),
              alice.caCertificate()), EngineHarness.ESP));
      IkeMessage m = c.open(h.exchange(c.request(ExchangeType.IKE_AUTH, p), CLIENT, true));
      assertTrue(m.notify(NotifyType.AUTHENTICATION_FAILED).isPresent(), m.toString());
      h.sync();
      assertEquals(0, h.registry.size());
      assertEquals(0, h.engine.ikeSaCount(), "the IKE SA is gone");
    }
  }

  @Test
  void aRevokedCertificateIsRefusedByTheSharedAuthenticator() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      h.authenticator.update(io.vpngateway.gateway.auth.cert.TrustSnapshot.of(
          List.of(h.ca.certificate()), List.of(), List.of(alice.sha1Thumbprint())));
      LoopbackInitiator c = initiator(CLIENT);
      IkeMessage m = connect(h, c, alice, false);
      assertTrue(m.notify(NotifyType.AUTHENTICATION_FAILED).isPresent(), m.toString());
      assertEquals(0, h.registry.size());
    }
  }

  @Test
  void malformedForgedAndReplayedMessagesAreCountedAndTheEngineGoesOn() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      IssuedCertificate alice = h.client("alice", KeySpec.EC_P256);
      connect(h, c, alice, false);
      Random random = new Random(42);
      // garbage and truncations
      for (int i = 0; i < 200; i++) {
        byte[] junk = new byte[random.nextInt(120)];
        random.nextBytes(junk);
        h.engine.submit(junk, CLIENT, random.nextBoolean());
      }
      // a message for an unknown SPI
      LoopbackInitiator stranger = initiator(CLIENT);
      stranger.spiR = 12345;
      stranger.suite = c.suite;
      stranger.keys = c.keys;
      stranger.protector = c.protector;
      h.engine.submit(stranger.request(ExchangeType.INFORMATIONAL, List.of()), CLIENT, true);
      // a forged ICV in the right SA
      byte[] forged = c.request(ExchangeType.INFORMATIONAL, List.of());
      forged[forged.length - 1] ^= 1;
      h.engine.submit(forged, CLIENT, true);
      // an old message ID (IKE_AUTH was 1; this is replayed as 0)
      c.nextMessageId = 0;
      h.engine.submit(c.request(ExchangeType.INFORMATIONAL, List.of()), CLIENT, true);
      // a far future message ID
      c.nextMessageId = 100;
      h.engine.submit(c.request(ExchangeType.INFORMATIONAL, List.of()), CLIENT, true);
      h.sync();
      assertTrue(h.drainIke(300).isEmpty(), "none of these is answered");
      assertTrue(h.stats.malformed.sum() >= 150, h.stats.toString());
      assertEquals(1, h.stats.unknownSpi.sum(), h.stats.toString());
      assertEquals(1, h.stats.integrityFailures.sum(), h.stats.toString());
      assertEquals(2, h.stats.invalidMessageId.sum(), h.stats.toString());

      // an unknown critical payload inside SK is answered (protected) and the SA survives
      c.nextMessageId = 2;
      IkeMessage critical = c.open(h.exchange(c.request(ExchangeType.INFORMATIONAL,
          List.of(new UnknownPayload(222, true, new byte[] {1}))), CLIENT, true));
      assertArrayEquals(new byte[] {(byte) 222},
          critical.notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD).orElseThrow().data());
      // still alive: an empty INFORMATIONAL (liveness) is answered
      IkeMessage alive = c.open(h.exchange(c.request(ExchangeType.INFORMATIONAL, List.of()),
          CLIENT, true));
      assertTrue(alive.payloads().isEmpty());
      assertEquals(1, h.registry.size());
      // and a new client still gets in
      LoopbackInitiator bob = initiator(new InetSocketAddress("198.51.100.9", 4500));
      assertTrue(connect(h, bob, h.client("bob", KeySpec.EC_P256), false).firstError().isEmpty());
      assertEquals(2, h.registry.size());
    }
  }

  @Test
  void aVersionThreeMessageGetsInvalidMajorVersion() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      byte[] m = initiator(CLIENT).initRequest(DhGroup.ECP_384, null, false);
      m[17] = 0x30;
      IkeMessage answer = ReceivedIkeMessage.decode(h.exchange(m, CLIENT, false)).clear();
      assertTrue(answer.notify(NotifyType.INVALID_MAJOR_VERSION).isPresent());
      assertEquals(2, answer.header().majorVersion());
    }
  }

  @Test
  void anIkeAuthWithoutConfigurationRequestIsRefused() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator(CLIENT);
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), CLIENT, false));
      List<IkePayload> p = new ArrayList<>(c.authPayloads(h.client("alice", KeySpec.EC_P256),
          EngineHarness.ESP));
      p.removeIf(x -> x instanceof ConfigPayload);
      IkeMessage m = c.open(h.exchange(c.request(ExchangeType.IKE_AUTH, p), CLIENT, true));
      assertTrue(m.notify(NotifyType.FAILED_CP_REQUIRED).isPresent(), m.toString());
      assertNull(m.first(SaPayload.class).orElse(null));
      assertFalse(h.registry.size() > 0);
    }
  }

  private static byte[] ipv4(String src, String dst) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0).put((byte) 64)
        .put((byte) 17).putShort((short) 0);
    b.put(java.net.InetAddress.getByName(src).getAddress());
    b.put(java.net.InetAddress.getByName(dst).getAddress());
    b.putShort((short) 1000).putShort((short) 2000).putShort((short) 8).putShort((short) 0);
    byte[] a = b.array();
    int sum = 0;
    for (int i = 0; i < 20; i += 2) {
      sum += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = ~sum & 0xffff;
    a[10] = (byte) (sum >> 8);
    a[11] = (byte) sum;
    return a;
  }
}
