package io.vpngateway.gateway.ikev2.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.pki.KeySpec;
import io.vpngateway.gateway.ikev2.crypto.DhGroup;
import io.vpngateway.gateway.ikev2.message.ExchangeType;
import io.vpngateway.gateway.ikev2.message.IkeHeader;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.KePayload;
import io.vpngateway.gateway.ikev2.message.NotifyPayload;
import io.vpngateway.gateway.ikev2.message.NotifyType;
import io.vpngateway.gateway.ikev2.message.ReceivedIkeMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The engine's next due time ({@link IkeEngine#nextDueNanos}, which the control loop sleeps until)
 * against its timers' run ({@link IkeEngine#tick(long)}), one case per timer kind: for each, the
 * engine is brought into the state, and under the engine lock a run at the due time minus one
 * nanosecond must do nothing while a run at the due time must act (a datagram sent, an SA or a
 * CHILD_SA gone). A timer that {@code tick} acts on but {@code nextDueNanos} puts later (or
 * forgets) would never fire on a quiet gateway. Times passed to {@code tick} are never in the real
 * past, so the control loop's own runs do not interfere.
 */
class EngineTimersTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.9", 4500);
  private static final long HOUR = Duration.ofHours(1).toNanos();

  @Test
  void halfOpenExpiry() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      LoopbackInitiator c = initiator();
      c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), c.address, false));
      onEngine(h, () -> {
        IkeSa sa = only(h);
        long due = h.engine.nextDueNanos(System.nanoTime());
        assertEquals(sa.halfOpenDeadlineNanos, due);
        h.engine.tick(due - 1);
        assertEquals(1, h.engine.ikeSaCount(), "not yet expired");
        h.engine.tick(due);
        assertEquals(0, h.engine.ikeSaCount(), "expired at its due time");
        return null;
      });
    }
  }

  @Test
  void dpdThenRetransmissionsThenGiveUp() throws Exception {
    // the harness's lifetimes are hours: DPD after 30 s is the only timer; timeout 10 s
    try (EngineHarness h = new EngineHarness(p -> p)) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        long due = h.engine.nextDueNanos(System.nanoTime());
        assertNothingAt(h, due - 1);
        h.engine.tick(due);
        List<byte[]> probe = ikeSent(h);
        assertEquals(1, probe.size(), "DPD probe at its due time");
        assertEquals(ExchangeType.INFORMATIONAL, exchangeOf(probe.get(0)));
        assertRetransmittedUntilGivenUp(h, sa, probe.get(0));
        assertEquals(1, h.stats.dpdDead.sum(), "dead peer");
        return null;
      });
    }
  }

  @Test
  void ikeSaRekeyAtLifetime() throws Exception {
    try (EngineHarness h = new EngineHarness(timers(Duration.ofHours(1), Duration.ofHours(2), 0))) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        long due = h.engine.nextDueNanos(System.nanoTime());
        assertEquals(sa.rekeyAtNanos, due);
        assertNothingAt(h, due - 1);
        h.engine.tick(due);
        IkeMessage rekey = onlyRequest(h, ExchangeType.CREATE_CHILD_SA);
        assertTrue(rekey.first(KePayload.class).isPresent()
            && notify(rekey, NotifyType.REKEY_SA) == null, "an IKE SA rekey: " + rekey);
        assertTrue(sa.rekeyInProgress);
        return null;
      });
    }
  }

  @Test
  void childSaRekeyAtLifetime() throws Exception {
    try (EngineHarness h = new EngineHarness(timers(Duration.ofHours(3), Duration.ofHours(1), 0))) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        ChildSa child = sa.children.get(0);
        long due = h.engine.nextDueNanos(System.nanoTime());
        assertEquals(child.createdNanos() + HOUR, due);
        assertNothingAt(h, due - 1);
        h.engine.tick(due);
        IkeMessage rekey = onlyRequest(h, ExchangeType.CREATE_CHILD_SA);
        assertNotNull(notify(rekey, NotifyType.REKEY_SA), "a CHILD_SA rekey: " + rekey);
        return null;
      });
    }
  }

  @Test
  void refusedChildSaRekeyIsRetriedAfterItsWait() throws Exception {
    refusedRekeyIsRetriedAfterItsWait(false);
  }

  @Test
  void refusedIkeSaRekeyIsRetriedAfterItsWait() throws Exception {
    refusedRekeyIsRetriedAfterItsWait(true);
  }

  /** A 1 s lifetime: the control loop itself starts the first rekey, which the client refuses. */
  private void refusedRekeyIsRetriedAfterItsWait(boolean ike) throws Exception {
    Duration second = Duration.ofSeconds(1);
    Duration hours = Duration.ofHours(8);
    try (EngineHarness h =
        new EngineHarness(ike ? timers(second, hours, 0) : timers(hours, second, 0))) {
      LoopbackInitiator c = connect(h);
      AtomicReference<byte[]> first = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        byte[] m = h.nextIke(100);
        if (m != null && exchangeOf(m) == ExchangeType.CREATE_CHILD_SA) {
          first.set(m);
        }
        return first.get() != null;
      });
      int mid = ReceivedIkeMessage.decode(first.get()).header().messageId();
      byte[] refusal = c.protector.protect(
          IkeHeader.of(c.spiI, c.spiR, 0, ExchangeType.CREATE_CHILD_SA, true, true, mid),
          List.of(NotifyPayload.of(NotifyType.TEMPORARY_FAILURE, new byte[0])));
      h.engine.submit(refusal, c.address, true);
      h.sync();
      onEngine(h, () -> {
        IkeSa sa = only(h);
        assertNull(sa.pending, "the refusal answered the rekey");
        assertFalse(sa.rekeyInProgress);
        ChildSa child = sa.children.get(0);
        long retryAt = ike ? sa.rekeyAtNanos : child.rekeyRetryAtNanos;
        long now = System.nanoTime();
        assertTrue(retryAt - now > OwnExchanges.RETRY_NANOS / 2, "a retry is planned later");
        ikeSent(h); // retransmissions of the first rekey, if any
        long due = h.engine.nextDueNanos(now);
        assertEquals(retryAt, due, "the retry wait, not the lifetime long past");
        assertNothingAt(h, due - 1);
        h.engine.tick(due);
        IkeMessage retry = onlyRequest(h, ExchangeType.CREATE_CHILD_SA);
        assertEquals(!ike, notify(retry, NotifyType.REKEY_SA) != null, "the rekey again: " + retry);
        return null;
      });
    }
  }

  @Test
  void deleteOfARevokedSessionIsRetransmittedThenGivenUp() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      connect(h);
      IkeSa sa = h.engine.all().get(0);
      h.engine.closeFromOutside(sa.session, "revoked");
      h.sync();
      onEngine(h, () -> {
        assertEquals(IkeSa.State.DELETING, sa.state);
        List<byte[]> delete = ikeSent(h);
        assertEquals(1, delete.size(), "the Delete");
        assertEquals(ExchangeType.INFORMATIONAL, exchangeOf(delete.get(0)));
        assertRetransmittedUntilGivenUp(h, sa, delete.get(0));
        return null;
      });
    }
  }

  @Test
  void rekeyedIkeSaLingersThenGoes() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        long now = System.nanoTime();
        // as the client's IKE SA rekey leaves the old SA (CreateChildSaResponder, succeed())
        sa.state = IkeSa.State.REKEYED;
        sa.lastInboundNanos = now;
        long due = h.engine.nextDueNanos(now);
        assertEquals(now + IkeEngine.LINGER_NANOS * 6 + 1, due);
        h.engine.tick(due - 1);
        assertEquals(1, h.engine.ikeSaCount(), "still lingering");
        h.engine.tick(due);
        assertEquals(0, h.engine.ikeSaCount(), "forgotten after its linger");
        return null;
      });
    }
  }

  @Test
  void retiredChildSaReceivesUntilItsGraceEnds() throws Exception {
    try (EngineHarness h = new EngineHarness(p -> p)) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        ChildSa child = sa.children.get(0);
        long now = System.nanoTime();
        // as the client's Delete of the CHILD_SA does (InformationalResponder)
        InformationalResponder.removeChild(h.engine, sa, child, now);
        long due = h.engine.nextDueNanos(now);
        assertEquals(now + IkeEngine.INBOUND_GRACE_NANOS, due);
        h.engine.tick(due - 1);
        assertSame(child, h.engine.childSas.get(child.inboundSpi()), "still receiving");
        h.engine.tick(due);
        assertNull(h.engine.childSas.get(child.inboundSpi()), "grace over at its due time");
        return null;
      });
    }
  }

  @Test
  void byteLimitIsLookedAtEverySecond() throws Exception {
    try (EngineHarness h =
        new EngineHarness(timers(Duration.ofHours(8), Duration.ofHours(7), 1_000_000))) {
      connect(h);
      onEngine(h, () -> {
        IkeSa sa = only(h);
        ChildSa child = sa.children.get(0);
        long now = System.nanoTime();
        long due = h.engine.nextDueNanos(now);
        assertEquals(now + OwnExchanges.BYTES_CHECK_NANOS, due, "a byte limit is polled");
        assertNothingAt(h, due); // under the limit: the poll finds nothing to do
        child.bytesIn.add(1_000_000);
        // the traffic came without waking the loop: the next poll is at most a second away
        long next = h.engine.nextDueNanos(due);
        assertEquals(due + OwnExchanges.BYTES_CHECK_NANOS, next);
        h.engine.tick(next);
        IkeMessage rekey = onlyRequest(h, ExchangeType.CREATE_CHILD_SA);
        assertNotNull(notify(rekey, NotifyType.REKEY_SA), "a CHILD_SA rekey: " + rekey);
        return null;
      });
      // without a byte limit nothing is polled: DPD (24 h here) is the next timer
    }
    try (EngineHarness h =
        new EngineHarness(timers(Duration.ofHours(8), Duration.ofHours(7), 0))) {
      connect(h);
      onEngine(h, () -> {
        long now = System.nanoTime();
        assertTrue(h.engine.nextDueNanos(now) - (now + HOUR) > 0, "no byte poll");
        return null;
      });
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Lifetimes and byte limit as given, DPD after a day (so it is never the next timer). */
  private static UnaryOperator<Ikev2Policy> timers(Duration ike, Duration child, long bytes) {
    return p -> new Ikev2Policy(
        p.ikeProposals(), p.espProposals(), p.serverChain(), p.serverKey(), p.trustAnchors(),
        p.routes(), p.forceTunnel(), p.dnsServers(), p.searchDomains(), ike, child, bytes,
        Duration.ofDays(1), p.dpdTimeout(), p.halfOpenTimeout(), p.maxHalfOpen(),
        p.maxHalfOpenPerSource(), p.cookieThreshold(), p.fragmentSize(), p.maxSessions());
  }

  private static LoopbackInitiator initiator() {
    return new LoopbackInitiator(CLIENT, EngineHarness.GATEWAY, EngineHarness.IKE);
  }

  /** The client of the test's IKE SA (JUnit makes one instance per test). */
  private volatile LoopbackInitiator client;

  /** An established IKE SA with one CHILD_SA (certificate IKE_AUTH); nothing left in the queue. */
  private LoopbackInitiator connect(EngineHarness h) throws Exception {
    LoopbackInitiator c = initiator();
    c.onInitResponse(h.exchange(c.initRequest(DhGroup.ECP_384, null, false), c.address, false));
    IkeMessage answer = c.open(h.exchange(
        c.request(ExchangeType.IKE_AUTH,
            c.authPayloads(h.client("alice", KeySpec.EC_P256), EngineHarness.ESP)),
        c.address, true));
    assertTrue(answer.firstError().isEmpty(), answer.toString());
    h.sync();
    h.sent.clear();
    client = c;
    return c;
  }

  private static IkeSa only(EngineHarness h) {
    List<IkeSa> all = h.engine.all();
    assertEquals(1, all.size());
    return all.get(0);
  }

  /**
   * Runs the timers at each next due time (and one nanosecond before) while the request of ours
   * pending in {@code sa} gets no answer: each run at a due time retransmits {@code datagram}
   * until the one at the request's deadline gives up and the SA goes; the runs before do nothing.
   */
  private static void assertRetransmittedUntilGivenUp(EngineHarness h, IkeSa sa, byte[] datagram) {
    assertNotNull(sa.pending);
    long deadline = sa.pending.deadlineNanos;
    long due = System.nanoTime();
    int retransmissions = 0;
    for (int i = 0; i < 50 && h.engine.ikeSaCount() == 1; i++) {
      due = h.engine.nextDueNanos(due);
      assertTrue(due - deadline <= 0, "nothing timed after the give-up");
      assertNothingAt(h, due - 1);
      assertEquals(1, h.engine.ikeSaCount());
      h.engine.tick(due);
      List<byte[]> again = ikeSent(h);
      if (h.engine.ikeSaCount() == 1) {
        assertEquals(1, again.size(), "retransmission at its due time");
        assertTrue(Arrays.equals(datagram, again.get(0)), "the same datagram");
        retransmissions++;
      } else {
        assertEquals(deadline, due, "given up at the request's deadline");
      }
    }
    assertEquals(0, h.engine.ikeSaCount(), "no answer: the SA is gone");
    assertTrue(retransmissions >= 2, "retransmitted " + retransmissions + " times");
    assertEquals(ControlLoop.NEVER, h.engine.nextDueNanos(due));
  }

  /** A run of the timers at {@code now} that must send nothing. */
  private static void assertNothingAt(EngineHarness h, long now) {
    ikeSent(h);
    h.engine.tick(now);
    List<byte[]> sent = ikeSent(h);
    assertTrue(sent.isEmpty(), sent.size() + " IKE datagrams sent before the due time");
  }

  /** The IKE datagrams sent so far (the transport records synchronously), taken. */
  private static List<byte[]> ikeSent(EngineHarness h) {
    List<byte[]> out = new ArrayList<>();
    EngineHarness.Sent s;
    while ((s = h.sent.poll()) != null) {
      if (!s.esp()) {
        out.add(s.bytes());
      }
    }
    return out;
  }

  private static int exchangeOf(byte[] datagram) {
    return datagram[18] & 0xff;
  }

  private IkeMessage onlyRequest(EngineHarness h, int exchange) throws Exception {
    List<byte[]> sent = ikeSent(h);
    assertEquals(1, sent.size(), "one request at the due time");
    assertEquals(exchange, exchangeOf(sent.get(0)));
    return client.open(sent.get(0));
  }

  private static NotifyPayload notify(IkeMessage m, int type) {
    return m.payloads().stream()
        .filter(p -> p instanceof NotifyPayload n && n.notifyType() == type)
        .map(p -> (NotifyPayload) p)
        .findFirst()
        .orElse(null);
  }

  /** Runs {@code work} on the control thread under the engine lock; rethrows its failure. */
  private static void onEngine(EngineHarness h, Callable<Void> work) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    h.engine.afterQueuedDatagrams(() -> {
      try {
        work.call();
      } catch (Throwable t) {
        failure.set(t);
      } finally {
        done.countDown();
      }
    });
    assertTrue(done.await(10, TimeUnit.SECONDS), "the control thread is stuck");
    if (failure.get() instanceof Error e) {
      throw e;
    }
    if (failure.get() instanceof Exception e) {
      throw e;
    }
  }
}
