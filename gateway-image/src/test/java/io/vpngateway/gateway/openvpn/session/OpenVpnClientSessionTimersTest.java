package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.AuthResult;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.PasswordAuthenticator;
import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.message.OpenVpnControlPacket;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session's timers, in memory ({@link InMemorySessionLab}), with the tick's clock in the test's
 * hands: when {@link OpenVpnClientSession#nextTickNanos} asks for the next tick in each phase
 * (handshake, authenticating, authenticated, established and quiet, a message of ours not yet
 * acknowledged, refused, closed), and that a control packet the wire lost is sent again once its
 * retransmission timer (1 s, then doubling) has run out, and not before.
 */
class OpenVpnClientSessionTimersTest {
  private static final long FAST = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long SLOW = TimeUnit.SECONDS.toNanos(1);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long KEEPALIVE = TimeUnit.SECONDS.toNanos(10);

  private static OpenVpnServerSettings.Builder settings() {
    return OpenVpnServerSettings.builder()
        .keepalive(Duration.ofSeconds(10), Duration.ofSeconds(60))
        .renegotiate(Duration.ofSeconds(3600), 0);
  }

  private static long next(OpenVpnClientSession s) {
    return s.nextTickNanos(System.nanoTime(), FAST, SLOW);
  }

  private static long sendsOf(InMemorySessionLab lab, long messageId) {
    return lab.fromServer.stream()
        .filter(p -> p.opcode().hasMessageId() && p.keyId() == 0 && p.messageId() == messageId)
        .count();
  }

  @Test
  void theServerSendsALostResetAndALostTlsPacketAgainWhenTheirTimerRunsOut() throws Exception {
    InMemorySessionLab lab = new InMemorySessionLab(settings());
    Set<Long> lostOnce = new HashSet<>();
    // the wire loses the first sending of our reset (message 0) and of our first TLS packet
    lab.dropToClient = p -> p.opcode().hasMessageId() && p.messageId() <= 1
        && lostOnce.add(p.messageId());
    long beforeReset = System.nanoTime();
    lab.start();
    long afterReset = System.nanoTime();
    lab.pump();
    OpenVpnClientSession s = lab.session;
    assertEquals(1, lab.dropped.size());
    assertEquals(OpenVpnOpcode.P_CONTROL_HARD_RESET_SERVER_V2, lab.dropped.get(0).opcode());
    assertEquals(ClientKeyState.State.RESET_SENT, lab.keys[0].state());
    long now = System.nanoTime();
    assertEquals(now + FAST, s.nextTickNanos(now, FAST, SLOW), "a handshake under way");

    s.tick(beforeReset + 900 * MS);
    lab.pump();
    assertEquals(1, sendsOf(lab, 0), "not before its 1 s timer");
    long beforeTls = System.nanoTime(); // our first TLS packet goes after this, at the real clock
    s.tick(afterReset + SLOW + MS);
    lab.pump();
    assertEquals(2, sendsOf(lab, 0), "the reset again once its timer ran out");
    assertEquals(2, lab.dropped.size(), "then the first TLS packet was lost");
    assertEquals(1, lab.dropped.get(1).messageId());
    assertEquals(OpenVpnClientSession.Phase.HANDSHAKING, s.phase());

    long afterTls = System.nanoTime();
    s.tick(beforeTls + 900 * MS);
    lab.pump();
    assertEquals(1, sendsOf(lab, 1), "not before its 1 s timer");
    s.tick(afterTls + SLOW + MS);
    lab.pump();
    assertEquals(2, sendsOf(lab, 1));
    assertEquals(OpenVpnClientSession.Phase.ESTABLISHED, s.phase(), lab.messages().toString());
    assertNotNull(lab.clientSendKey);
  }

  @Test
  void aLostMessageOfAnEstablishedSessionAsksForTheFastTickUntilItIsAcknowledged()
      throws Exception {
    InMemorySessionLab lab = new InMemorySessionLab(settings());
    lab.connect();
    OpenVpnClientSession s = lab.session;
    next(s);
    assertTrue(next(s) - System.nanoTime() > SLOW, "quiet before");

    lab.dropToClient = p -> p.opcode() == OpenVpnOpcode.P_CONTROL_V1 && lab.dropped.isEmpty();
    lab.clientSays(0, "PUSH_REQUEST");
    lab.pump();
    long lost = System.nanoTime();
    assertEquals(1, lab.dropped.size(), "our PUSH_REPLY was lost");
    long now = System.nanoTime();
    assertEquals(now + FAST, s.nextTickNanos(now, FAST, SLOW), "unacknowledged");

    s.tick(lost + SLOW + MS);
    lab.pump();
    assertEquals(2, lab.messages().stream().filter(m -> m.equals("0:PUSH_REPLY")).count(),
        "sent again: " + lab.messages());
    next(s);
    assertTrue(next(s) - System.nanoTime() > SLOW, "quiet again once acknowledged");
  }

  @Test
  void anEstablishedQuietSessionSleepsUntilItsKeepaliveAndTrafficBringsTheSlowTick()
      throws Exception {
    InMemorySessionLab lab = new InMemorySessionLab(settings());
    long before = System.nanoTime();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    assertEquals(OpenVpnClientSession.Phase.ESTABLISHED, s.phase());
    long now = System.nanoTime();
    assertEquals(now + SLOW, s.nextTickNanos(now, FAST, SLOW), "the first look sees traffic");
    now = System.nanoTime();
    long quiet = s.nextTickNanos(now, FAST, SLOW);
    // no ping from the client yet: ours is due one interval after our last packet
    assertTrue(quiet - (before + KEEPALIVE + MS) >= 0, "at " + (quiet - now) / MS + " ms");
    assertTrue(quiet - (now + KEEPALIVE + MS) <= 0, "at " + (quiet - now) / MS + " ms");

    lab.clientSendsData(40);
    now = System.nanoTime();
    assertEquals(now + SLOW, s.nextTickNanos(now, FAST, SLOW), "moving traffic");
    assertTrue(next(s) - System.nanoTime() > SLOW, "quiet again");
  }

  @Test
  void authenticatingAndAuthenticatedSessionsWithEverythingAcknowledgedUseTheSlowTick()
      throws Exception {
    CompletableFuture<AuthResult> answer = new CompletableFuture<>();
    PasswordAuthenticator backend = (credential, client) -> answer;
    InMemorySessionLab lab = new InMemorySessionLab(settings(), backend);
    lab.password = "secret";
    lab.requestPushFlag = false;
    lab.start();
    lab.pump();
    OpenVpnClientSession s = lab.session;
    assertEquals(OpenVpnClientSession.Phase.AUTHENTICATING, s.phase());
    long now = System.nanoTime();
    assertEquals(now + SLOW, s.nextTickNanos(now, FAST, SLOW), "the backend's deadline");

    answer.complete(AuthResult.accepted(
        ClientIdentity.of("alice", List.of(), AuthMethod.RADIUS, "lab")));
    lab.pump();
    assertEquals(OpenVpnClientSession.Phase.AUTHENTICATED, s.phase(), lab.messages().toString());
    now = System.nanoTime();
    assertEquals(now + SLOW, s.nextTickNanos(now, FAST, SLOW),
        "the push request is a packet: it brings the tick itself");

    lab.clientSays(0, "PUSH_REQUEST");
    lab.pump();
    assertEquals(OpenVpnClientSession.Phase.ESTABLISHED, s.phase());
  }

  @Test
  void aRefusedSessionLingersOnTheSlowTickThenClosesAndAsksForNothing() throws Exception {
    InMemorySessionLab lab = new InMemorySessionLab(settings());
    lab.refuseCertificates = true;
    long before = System.nanoTime();
    lab.start();
    lab.pump();
    long after = System.nanoTime();
    OpenVpnClientSession s = lab.session;
    assertEquals(OpenVpnClientSession.Phase.REFUSED, s.phase());
    assertTrue(lab.messages().stream().anyMatch(m -> m.startsWith("0:AUTH_FAILED")),
        lab.messages().toString());
    long now = System.nanoTime();
    assertEquals(now + SLOW, s.nextTickNanos(now, FAST, SLOW), "AUTH_FAILED acknowledged");

    s.tick(before + 2900 * MS);
    assertFalse(s.isClosed(), "still lingering for AUTH_FAILED");
    s.tick(after + 3000 * MS + MS);
    assertTrue(s.isClosed());
    now = System.nanoTime();
    assertEquals(now + TimeUnit.DAYS.toNanos(1), s.nextTickNanos(now, FAST, SLOW));
    assertEquals(List.of(s), lab.closedSessions);
  }

  /**
   * A reload that shortens the keepalive (10/60 to 2/5) leaves a live session on what its client
   * was pushed: its client still pings every 10 s, so 10 s of silence is no ping-restart, and
   * its quiet deadline stays 10 s out; a session pushed after the reload gets the new values.
   */
  @Test
  void aSessionKeepsTheKeepaliveItsClientWasPushedAcrossAReload() throws Exception {
    InMemorySessionLab lab = new InMemorySessionLab(settings());
    long before = System.nanoTime();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    assertTrue(lab.clientMessages.get(0).contains("ping 10,ping-restart 60"));
    OpenVpnServerSettings shorter = settings()
        .keepalive(Duration.ofSeconds(2), Duration.ofSeconds(5))
        .serverCredentials(lab.settings.serverCertificateChain(), lab.settings.serverPrivateKey())
        .build();
    lab.settings = shorter;

    next(s);
    long quiet = next(s);
    assertTrue(quiet - (before + KEEPALIVE) >= 0, "the pushed interval, not the reloaded one: "
        + (quiet - System.nanoTime()) / MS + " ms");
    long now = System.nanoTime();
    s.tick(now + 8 * SLOW);
    assertFalse(s.isClosed(), "dropped after 8 s of silence though the client was told 60");
    s.tick(now + 61 * SLOW);
    assertTrue(s.isClosed(), "the pushed ping-restart still applies");

    InMemorySessionLab next = new InMemorySessionLab(settings());
    next.settings = shorter;
    next.connect();
    assertTrue(next.clientMessages.get(0).contains("ping 2,ping-restart 5"));
    next.session.tick(System.nanoTime() + 6 * SLOW);
    assertTrue(next.session.isClosed(), "a session pushed after the reload has the new values");
  }
}
