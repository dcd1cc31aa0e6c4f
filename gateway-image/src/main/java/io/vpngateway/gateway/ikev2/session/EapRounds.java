package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.config.SecretBytes;
import io.vpngateway.gateway.ikev2.crypto.PrfAlgorithm;
import io.vpngateway.gateway.ikev2.crypto.SignatureAuthentication;
import io.vpngateway.gateway.ikev2.exception.AuthenticationFailedException;
import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.exception.InvalidSyntaxException;
import io.vpngateway.gateway.ikev2.message.AuthPayload;
import io.vpngateway.gateway.ikev2.message.EapPayload;
import io.vpngateway.gateway.ikev2.message.IdPayload;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * EAP in IKE_AUTH, RFC 7296 §2.16: the gateway authenticates with its certificate, the client
 * with an EAP method run by the gateway's EAP backend (a RADIUS server behind the relay, EAP-MSCHAPv2
 * or EAP-TLS; the gateway never looks inside the method), and both then prove they hold the MSK.
 *
 * <pre>
 *   SK {IDi, [CERTREQ,] [IDr,] CP(CFG_REQUEST), SAi2, TSi, TSr}   --&gt;   (no AUTH: EAP)
 *                                      &lt;--   SK {IDr, CERT, AUTH, EAP(Request)}
 *   SK {EAP(Response)}                  --&gt;   &lt;--   SK {EAP(Request)}       (as the method needs)
 *   SK {EAP(Response)}                  --&gt;   &lt;--   SK {EAP(Success)}
 *   SK {AUTH}                           --&gt;   &lt;--   SK {AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}
 * </pre>
 *
 * The last two AUTH payloads are {@code prf(prf(MSK, "Key Pad for IKEv2"), <signed octets>)}
 * (§2.15, shared key MIC), with SK_pi / SK_pr in place of the MSK for a method without keys. An
 * EAP-Failure is answered as it is and ends the IKE SA; the half-open timeout ends a conversation
 * the client abandons. The backend's steps complete later: each answer waits for them on the
 * control thread ({@link Reply#after}).
 */
final class EapRounds {
  private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);
  /** Requests a method may take; beyond, the conversation is refused (a loop, or a peer stalling). */
  static final int MAX_ROUNDS = 64;
  /** EAP-MSCHAPv2's method type (IANA EAP registry). */
  static final int EAP_MSCHAPV2 = 26;

  /** One client's EAP conversation, kept in its IKE SA between the IKE_AUTH rounds. */
  static final class EapState {
    final EapConversation conversation;
    final AdmissionAttempt attempt;
    final IkeAuthResponder.Offer offer;
    final String sessionId;
    final IdPayload idi;
    final IdPayload idr;
    int rounds;
    /** The EAP type of the backend's last request (RFC 3748 §5), 0 before the first. */
    int method;
    SecretBytes msk;
    ClientIdentity identity;

    EapState(
        EapConversation conversation,
        AdmissionAttempt attempt,
        IkeAuthResponder.Offer offer,
        String sessionId,
        IdPayload idi,
        IdPayload idr) {
      this.conversation = conversation;
      this.attempt = attempt;
      this.offer = offer;
      this.sessionId = sessionId;
      this.idi = idi;
      this.idr = idr;
    }

    /** Abandons the conversation (idempotent). */
    void close() {
      conversation.close();
      msk = null;
    }
  }

  private final IkeEngine engine;
  private final IkeAuthResponder responder;

  EapRounds(IkeEngine engine, IkeAuthResponder responder) {
    this.engine = engine;
    this.responder = responder;
  }

  /** The first IKE_AUTH request without AUTH: our authentication and the first EAP request. */
  Reply start(IkeSa sa, IkeMessage request, long now) throws IkeProtocolException {
    String sessionId = IkeAuthResponder.newSessionId();
    IdPayload idi = request.id(true).orElseThrow(() -> new InvalidSyntaxException("no IDi"));
    String identityHint = IkeAuthResponder.describe(idi);
    AdmissionAttempt attempt =
        engine.admission.begin(
            new ClientInfo(VpnProtocol.IKEv2, sessionId, sa.peer, Map.of("IDi", identityHint)));
    EapAuthenticator eap;
    List<IkePayload> ours;
    IkeAuthResponder.Offer offer;
    try {
      try {
        eap = engine.admission.authentication().eapAlone();
      } catch (AuthenticationException e) {
        throw new AuthenticationFailedException(e.reason(), e.getMessage());
      }
      offer = responder.offer(request, null);
      ours = responder.ourAuthentication(sa, request);
    } catch (IkeProtocolException e) {
      responder.refused(attempt, e);
      throw e;
    }
    // no identity hint: the client names its EAP identity in EAP-Response/Identity, which is not
    // its IDi for strongSwan's eap_id, Windows or Apple (an IDi is often just its address)
    EapConversation conversation = eap.start(attempt.client(), Optional.empty());
    sa.eap = new EapState(conversation, attempt, offer, sessionId, idi, (IdPayload) ours.get(0));
    return Reply.after(conversation.begin(), step -> answer(sa, step, ours));
  }

  /** A later IKE_AUTH request: the next EAP response, or the final AUTH after EAP-Success. */
  Reply next(IkeSa sa, IkeMessage request, long now) throws IkeProtocolException {
    EapState st = sa.eap;
    if (st.identity != null) {
      return finish(sa, st, request, now);
    }
    EapPayload eap =
        request.first(EapPayload.class)
            .orElseThrow(() -> fail(st, new InvalidSyntaxException("IKE_AUTH without EAP")));
    if (++st.rounds > MAX_ROUNDS) {
      throw fail(st, new AuthenticationFailedException(
          RefusalReason.EAP_FAILURE, "EAP took more than " + MAX_ROUNDS + " rounds"));
    }
    return Reply.after(st.conversation.receive(eap.message()), step -> answer(sa, step, List.of()));
  }

  /** What the backend's step becomes in our answer. */
  private Reply answer(IkeSa sa, EapConversation.Step step, List<IkePayload> before)
      throws IkeProtocolException {
    EapState st = sa.eap;
    List<IkePayload> payloads = new ArrayList<>(before);
    if (step instanceof EapConversation.Step.Send send) {
      byte[] packet = send.eapPacket();
      if (packet.length > 4 && packet[0] == 1) {
        st.method = packet[4] & 0xff;
      }
      payloads.add(new EapPayload(packet));
      return Reply.of(payloads);
    }
    if (step instanceof EapConversation.Step.Success success) {
      st.msk = success.msk();
      st.identity = success.identity();
      payloads.add(new EapPayload(success.eapSuccess()));
      return Reply.of(payloads);
    }
    EapConversation.Step.Failure failure = (EapConversation.Step.Failure) step;
    engine.stats.authFailures.increment();
    st.attempt.refuse(failure.reason(), failure.message());
    st.close();
    payloads.add(new EapPayload(failure.eapFailure()));
    // the client learns the outcome from EAP-Failure; the IKE SA has no future (§2.16)
    return Reply.of(payloads, () -> engine.forget(sa));
  }

  /** After EAP-Success: the client's AUTH with the MSK, then admission as with a certificate. */
  private Reply finish(IkeSa sa, EapState st, IkeMessage request, long now)
      throws IkeProtocolException {
    AuthPayload auth =
        request.first(AuthPayload.class)
            .orElseThrow(() -> fail(st, new InvalidSyntaxException("no AUTH after EAP-Success")));
    PrfAlgorithm prf = sa.suite.prf();
    // copies either way: both are wiped below, and SK_pi/SK_pr are the SA's own arrays
    byte[] mskOrSki = hasMsk(st) ? ikeMsk(st.msk.bytes(), st.method) : sa.keys.skPi().clone();
    byte[] expected =
        mic(prf, mskOrSki,
            SignatureAuthentication.signedOctets(sa.initRequest, sa.nr, prf, sa.keys.skPi(),
                st.idi.body()));
    if (auth.method() != AuthPayload.SHARED_KEY_MIC
        || !MessageDigest.isEqual(expected, auth.data())) {
      Arrays.fill(mskOrSki, (byte) 0);
      throw fail(st, new AuthenticationFailedException(
          RefusalReason.INVALID_SIGNATURE, "the AUTH payload after EAP does not prove the MSK"));
    }
    Arrays.fill(mskOrSki, (byte) 0);
    byte[] mskOrSkr = hasMsk(st) ? ikeMsk(st.msk.bytes(), st.method) : sa.keys.skPr().clone();
    AuthPayload ours =
        new AuthPayload(
            AuthPayload.SHARED_KEY_MIC,
            mic(prf, mskOrSkr,
                SignatureAuthentication.signedOctets(sa.initResponse, sa.ni, prf, sa.keys.skPr(),
                    st.idr.body())));
    Arrays.fill(mskOrSkr, (byte) 0);
    ClientIdentity identity = st.identity;
    st.close();
    sa.eap = null;
    responder.replaceEarlierSessions(identity, request);
    return responder.admit(sa, st.offer, st.attempt, st.sessionId, identity,
        () -> List.of(ours), now);
  }

  /** A method that derives keys gave an MSK (an empty one: the server sent none, §2.16 SK_p). */
  private static boolean hasMsk(EapState st) {
    return st.msk != null && st.msk.length() > 0;
  }

  /**
   * The MSK as the AUTH key. The gateway's EAP backends hand the MSK over as MS-MPPE-Recv-Key and
   * MS-MPPE-Send-Key, each in a 32-octet half (EAP-TLS's layout, RFC 5216 §2.3). EAP-MSCHAPv2's
   * MPPE keys are 16 octets, and its MSK is MasterReceiveKey ‖ MasterSendKey ‖ 32 zero octets
   * (RFC 3079 §3.3 keys, the layout of draft-kamath-pppext-eap-mschapv2 that strongSwan, Windows
   * and Apple clients key their AUTH with), so the two 16-octet keys move together. (A server
   * that sent 32-octet keys for it filled the halves: they stay as they are.)
   */
  static byte[] ikeMsk(byte[] msk, int method) {
    if (method != EAP_MSCHAPV2 || msk.length != 64 || !zero(msk, 16, 32) || !zero(msk, 48, 64)) {
      return msk;
    }
    byte[] ike = new byte[64];
    System.arraycopy(msk, 0, ike, 0, 16);
    System.arraycopy(msk, 32, ike, 16, 16);
    Arrays.fill(msk, (byte) 0);
    return ike;
  }

  private static boolean zero(byte[] b, int from, int to) {
    int or = 0;
    for (int i = from; i < to; i++) {
      or |= b[i];
    }
    return or == 0;
  }

  /** {@code prf(prf(key, "Key Pad for IKEv2"), octets)}, RFC 7296 §2.15. */
  static byte[] mic(PrfAlgorithm prf, byte[] key, byte[] octets) {
    return prf.prf(prf.prf(key, KEY_PAD), octets);
  }

  private IkeProtocolException fail(EapState st, IkeProtocolException e) {
    engine.stats.authFailures.increment();
    st.attempt.refuse(e.refusalReason(), e.getMessage());
    st.close();
    return e;
  }
}
