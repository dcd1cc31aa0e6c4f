package io.vpngateway.gateway.sstp.ppp.session;

import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.sstp.crypto.SstpHlak;
import io.vpngateway.gateway.sstp.ppp.exception.MalformedPppException;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * PPP's EAP authentication (RFC 3748 section 4, over PPP as RFC 3748 section 7 / RFC 2284 say)
 * as a relay: every EAP packet goes to the gateway's EAP backend (RADIUS: EAP-TLS,
 * EAP-MSCHAPv2), every request it answers goes to the peer. The method itself is the backend's.
 *
 * <pre>
 *   start ─▶ (backend: Request/Identity) ─▶ REQUEST_SENT ──Response──▶ backend ──Send──▶ REQUEST_SENT
 *                                                                        ├─Success─▶ SUCCEEDED (EAP-Success sent)
 *                                                                        └─Failure─▶ FAILED (EAP-Failure sent)
 *   TO: the last request again (10x), then FAILED
 * </pre>
 *
 * The HLAK comes from the MSK (MS-SSTP section 3.2.5.2.2: the first 32 octets); a second
 * candidate, the first 16 octets of each MSK half, is what sstpc 1.0.18 computes from the
 * 16-octet MPPE keys pppd hands its plugin. Both derive from the MSK, which a man in the middle
 * cannot know, so accepting either keeps the binding's protection.
 */
final class EapRelayStateMachine implements PppAuthStateMachine {
  static final int MAX_REQUESTS = 10;

  private enum State {
    REQUEST_SENT,
    SUCCEEDED,
    FAILED
  }

  private final PppSession.EapBackend backend;
  private final BiConsumer<Integer, byte[]> sender;
  private State state = State.REQUEST_SENT;
  private byte[] lastRequest;
  private byte[] verdict;
  private int requestsSent;

  EapRelayStateMachine(PppSession.EapBackend backend, BiConsumer<Integer, byte[]> sender) {
    this.backend = backend;
    this.sender = sender;
  }

  @Override
  public AuthResult start() {
    return step(backend.begin());
  }

  @Override
  public AuthResult receive(int protocol, byte[] buf, int offset, int length)
      throws MalformedPppException {
    if (protocol != PppProtocol.EAP) {
      return null;
    }
    if (length < 4 || (buf[offset] & 0xff) != 2) {
      throw new MalformedPppException("not an EAP Response");
    }
    int eapLength = ((buf[offset + 2] & 0xff) << 8) | (buf[offset + 3] & 0xff);
    if (eapLength < 4 || eapLength > length) {
      throw new MalformedPppException("EAP length " + eapLength + " with " + length + " octets");
    }
    if (state != State.REQUEST_SENT) {
      if (verdict != null) {
        sender.accept(PppProtocol.EAP, verdict); // the peer lost our verdict
      }
      return null;
    }
    if (lastRequest != null && (buf[offset + 1] & 0xff) != (lastRequest[1] & 0xff)) {
      return null; // RFC 3748 section 4.1: a response to another request is discarded
    }
    return step(backend.receive(Arrays.copyOfRange(buf, offset, offset + eapLength)));
  }

  private AuthResult step(EapConversation.Step step) {
    if (step instanceof EapConversation.Step.Send send) {
      lastRequest = send.eapPacket().clone();
      requestsSent = 0;
      sendRequest();
      return null;
    }
    if (step instanceof EapConversation.Step.Success ok) {
      state = State.SUCCEEDED;
      verdict = ok.eapSuccess().clone();
      sender.accept(PppProtocol.EAP, verdict);
      byte[] msk = ok.msk().bytes();
      try {
        byte[] sstpc = new byte[SstpHlak.LENGTH];
        System.arraycopy(msk, 0, sstpc, 0, 16);
        System.arraycopy(msk, 32, sstpc, 16, 16);
        backend.close();
        return AuthResult.success(ok.identity(), SstpHlak.fromEapMsk(msk), sstpc);
      } finally {
        Arrays.fill(msk, (byte) 0);
      }
    }
    EapConversation.Step.Failure no = (EapConversation.Step.Failure) step;
    state = State.FAILED;
    verdict = no.eapFailure().clone();
    sender.accept(PppProtocol.EAP, verdict);
    backend.close();
    return AuthResult.failure("EAP refused: " + no.reason().code() + ": " + no.message());
  }

  @Override
  public AuthResult timeout() {
    if (state != State.REQUEST_SENT || lastRequest == null) {
      return null;
    }
    if (requestsSent >= MAX_REQUESTS) {
      state = State.FAILED;
      backend.close();
      return AuthResult.failure("no EAP Response to " + MAX_REQUESTS + " requests");
    }
    sendRequest();
    return null;
  }

  @Override
  public boolean awaitingAnswer() {
    return state == State.REQUEST_SENT && lastRequest != null;
  }

  private void sendRequest() {
    requestsSent++;
    sender.accept(PppProtocol.EAP, lastRequest);
  }
}
