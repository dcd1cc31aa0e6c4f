package io.vpngateway.gateway.openvpn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.openvpn.OpenVpnServerSettings;
import io.vpngateway.gateway.openvpn.message.OpenVpnOpcode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Renegotiation of a real session against our test client, in memory ({@link
 * InMemorySessionLab}): one that works carries the data over to the new key and the next comes
 * at reneg-sec again; one that fails (the client's TLS fails at the renegotiation, or it never
 * answers within the handshake window; started by the server or the client) ends the session
 * with RESTART on the key the client still reads, as openvpn ends it (see {@code
 * OpenVpnClientSession.failKeyState}), instead of leaving the session on the failed key state.
 */
class OpenVpnClientSessionRenegotiationTest {
  private static final long RENEG = TimeUnit.SECONDS.toNanos(30);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static InMemorySessionLab lab() throws Exception {
    // a ping-restart far beyond the handshake window, so that only the renegotiation can end it
    return new InMemorySessionLab(OpenVpnServerSettings.builder()
        .keepalive(Duration.ofSeconds(10), Duration.ofSeconds(300))
        .renegotiate(Duration.ofSeconds(30), 0));
  }

  /** Whether the server sent a soft reset of {@code keyId}. */
  private static boolean softResetSeen(InMemorySessionLab lab, int keyId) {
    return lab.fromServer.stream().anyMatch(
        p -> p.opcode() == OpenVpnOpcode.P_CONTROL_SOFT_RESET_V1 && p.keyId() == keyId);
  }

  @Test
  void aRenegotiationMovesTheDataToTheNewKeyAndTheNextOneComesAtRenegSec() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    assertEquals(OpenVpnClientSession.Phase.ESTABLISHED, s.phase());

    s.tick(System.nanoTime() + RENEG + SECOND);
    lab.pump();
    assertEquals(ClientKeyState.State.ACTIVE, lab.keys[1].state(), "key id 1 negotiated");
    lab.clientSendsData(40); // with key id 1: the server switches to it on its first use
    lab.tunSendsData(60);
    assertEquals(1, lab.deliveredToTun.size());
    assertEquals(1, lab.clientDataKeyIds.get(lab.clientDataKeyIds.size() - 1));

    s.tick(System.nanoTime() + RENEG + SECOND);
    lab.pump();
    assertEquals(ClientKeyState.State.ACTIVE, lab.keys[2].state(), "reneg-sec honoured again");
    assertFalse(s.isClosed());
  }

  @Test
  void aRenegotiationWhoseTlsFailsEndsTheSessionWithRestartOnTheOldKey() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    lab.softResetAnswer = InMemorySessionLab.SoftResetAnswer.NO_CERTIFICATE;

    s.tick(System.nanoTime() + RENEG + SECOND);
    lab.pump();

    assertTrue(softResetSeen(lab, 1));
    assertEquals(1, lab.clientKeyFailures.size(), "the server refused the TLS handshake");
    assertTrue(s.isClosed(), "a session left on its failed key state: " + s);
    assertEquals(List.of(s), lab.closedSessions);
    assertTrue(lab.messages().contains("0:RESTART"), lab.messages().toString());
    assertEquals(0, lab.leasesOut.get(), "the address went back to the pool");
    assertEquals(0, lab.admission.inUse(), "the connection budget was given back");
  }

  @Test
  void aRenegotiationTheClientNeverAnswersKeepsTheOldKeyUntilItsWindowThenEndsWithRestart()
      throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    lab.softResetAnswer = InMemorySessionLab.SoftResetAnswer.IGNORE;
    long start = System.nanoTime();

    s.tick(start + RENEG + SECOND);
    lab.pump();
    assertTrue(softResetSeen(lab, 1));
    // while the new key state waits, the data goes on with key id 0 both ways
    lab.clientSendsData(40);
    lab.tunSendsData(60);
    assertEquals(1, lab.deliveredToTun.size());
    assertEquals(0, lab.clientDataKeyIds.get(lab.clientDataKeyIds.size() - 1));
    s.tick(start + RENEG + 30 * SECOND);
    lab.pump();
    assertFalse(s.isClosed(), "still inside the 60 s handshake window");

    s.tick(start + RENEG + 62 * SECOND);
    lab.pump();
    assertTrue(s.isClosed(), "a session left on its failed key state: " + s);
    assertTrue(lab.messages().contains("0:RESTART"), lab.messages().toString());
    assertEquals(0, lab.leasesOut.get());
  }

  @Test
  void aRenegotiationTheClientStartsAndFailsEndsTheSession() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;

    lab.newKeyState(1, false); // the client's soft reset, then TLS without a certificate
    lab.pump();

    assertEquals(1, lab.clientKeyFailures.size(), "the server refused the TLS handshake");
    assertTrue(s.isClosed(), "a session left on its failed key state: " + s);
    assertEquals(0, lab.leasesOut.get());
  }

  @Test
  void aCloseDuringARenegotiationTellsTheClientOnTheKeyItStillReads() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    lab.softResetAnswer = InMemorySessionLab.SoftResetAnswer.IGNORE;
    s.tick(System.nanoTime() + RENEG + SECOND);
    lab.pump();

    s.close("removed by the administrator");
    lab.pump();

    assertTrue(s.isClosed());
    assertTrue(lab.messages().contains("0:RESTART"), lab.messages().toString());
  }

  /**
   * A reload that turns certificate authentication off ends a certificate session at once
   * ({@code OpenVpnServer.endSessionsNoLongerAdmitted} runs this on the control thread), with
   * RESTART to the client, the address and the connection given back, and one refusal reported;
   * the renegotiation that would have judged it later finds it closed (no second refusal).
   */
  @Test
  void aReloadThatNoLongerAdmitsTheLoginEndsItAtOnceWithRestartAndOneRefusal() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    s.rejudgeAfterReload();
    lab.pump();
    assertFalse(s.isClosed(), "the rules in force admit it: untouched");
    assertTrue(lab.admission.refusals().recent().isEmpty());

    lab.certificatesOn = false; // the reload
    s.rejudgeAfterReload();
    lab.pump();

    assertTrue(s.isClosed());
    assertEquals(List.of(s), lab.closedSessions);
    assertTrue(lab.messages().contains("0:RESTART"), lab.messages().toString());
    assertEquals(0, lab.leasesOut.get(), "the address went back to the pool");
    assertEquals(0, lab.admission.inUse(), "the connection budget was given back");
    assertEquals(0, lab.registry.size());
    assertEquals(1, lab.admission.refusals().recent().size());
    assertEquals("CredentialsMissing", lab.admission.refusals().recent().get(0).reason());

    s.tick(System.nanoTime() + RENEG + SECOND); // its renegotiation would have been due
    s.rejudgeAfterReload(); // a second reload
    lab.pump();
    assertFalse(softResetSeen(lab, 1), "a closed session does not renegotiate");
    assertEquals(1, lab.admission.refusals().recent().size(), "refused once");
  }

  /**
   * A session the reload still admits goes on, and its next renegotiation is judged by the same
   * rules: it passes too (the reload's check and the renegotiation's agree).
   */
  @Test
  void aSessionTheReloadKeepsPassesItsNextRenegotiationToo() throws Exception {
    InMemorySessionLab lab = lab();
    lab.connect();
    OpenVpnClientSession s = lab.session;
    s.rejudgeAfterReload(); // certificate authentication still on: admitted
    lab.pump();

    s.tick(System.nanoTime() + RENEG + SECOND);
    lab.pump();

    assertEquals(ClientKeyState.State.ACTIVE, lab.keys[1].state(), "renegotiated");
    assertFalse(s.isClosed());
    assertTrue(lab.admission.refusals().recent().isEmpty());
    assertFalse(lab.messages().contains("0:RESTART"), lab.messages().toString());
  }
}
