package io.vpngateway.gateway.sstp.session;

import io.vpngateway.api.v1alpha1.spec.VpnProtocol;
import io.vpngateway.gateway.admission.AdmissionAttempt;
import io.vpngateway.gateway.auth.AuthenticationException;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.MsChapV2Authenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.sstp.ppp.session.MsChapV2Verifier;
import io.vpngateway.gateway.sstp.ppp.session.PppSession;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The PPP login of one {@link SstpConnection} through the gateway's admission: the MS-CHAPv2
 * check ({@link #verifyMsChapV2}) or the EAP relay ({@link #eapBackend}) that its {@link
 * PppSession} runs, and the {@link AdmissionAttempt} they begin, which the connection then takes
 * to reserve the client's slot and report how the session ended. Runs on the connection's reader
 * thread, under its lock.
 */
final class SstpPppLogin {
  private static final Logger LOG = Logger.getLogger(SstpPppLogin.class.getName());
  /** How long the reader thread waits for the MS-CHAPv2 backend (RADIUS with its retries). */
  static final long AUTH_TIMEOUT_SECONDS = 30;

  private final SstpServerContext ctx;
  private final String id;
  private final InetSocketAddress remote;
  private AdmissionAttempt attempt;

  SstpPppLogin(SstpServerContext ctx, String id, InetSocketAddress remote) {
    this.ctx = ctx;
    this.id = id;
    this.remote = remote;
  }

  /** The admission attempt the login began; null before the client's first credentials. */
  AdmissionAttempt attempt() {
    return attempt;
  }

  /** A new EAP backend for the PPP session's EAP method. */
  PppSession.EapBackend eapBackend() {
    return new EapRelay();
  }

  /**
   * The MS-CHAPv2 check through the gateway's admission: the pipeline's MS-CHAPv2 backend
   * (RADIUS) decides; a refusal is reported by the admission (log line, metrics, GET /refusals).
   * Runs on the connection's reader thread and waits for the backend (at most {@link
   * #AUTH_TIMEOUT_SECONDS}); only this client waits.
   */
  MsChapV2Verifier.Outcome verifyMsChapV2(MsChapV2Verifier.Attempt a) {
    attempt = ctx.admission().begin(new ClientInfo(VpnProtocol.SSTP, id, remote));
    MsChapV2Authenticator backend;
    try {
      backend = ctx.admission().authentication().msChapV2Alone();
    } catch (AuthenticationException e) {
      attempt.refuse(e.reason(), e.getMessage());
      return new MsChapV2Verifier.Rejected(e.reason().code());
    }
    MsChapV2Authenticator.Result r;
    try {
      r =
          backend
              .authenticate(
                  attempt.client(),
                  new MsChapV2Authenticator.Response(
                      a.userName(), a.authenticatorChallenge(), a.peerChallenge(), a.ntResponse()))
              .toCompletableFuture()
              .get(AUTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      attempt.refuse(RefusalReason.AUTH_SERVER_UNAVAILABLE, "no MS-CHAPv2 verdict in time");
      return new MsChapV2Verifier.Rejected("backend timeout");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attempt.refuse(RefusalReason.INTERNAL_ERROR, "interrupted");
      return new MsChapV2Verifier.Rejected("interrupted");
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "MS-CHAPv2 backend failed", e.getCause());
      attempt.refuse(RefusalReason.INTERNAL_ERROR, "MS-CHAPv2 backend failed");
      return new MsChapV2Verifier.Rejected("backend failure");
    }
    if (r instanceof MsChapV2Authenticator.Result.Accepted ok) {
      return new MsChapV2Verifier.Accepted(
          ok.identity(), ok.authenticatorResponse(), ok.sendKey().bytes(), ok.receiveKey().bytes());
    }
    MsChapV2Authenticator.Result.Refused no = (MsChapV2Authenticator.Result.Refused) r;
    attempt.refuse(no.reason(), no.message());
    return new MsChapV2Verifier.Rejected(no.reason().code() + ": " + no.message());
  }

  /**
   * EAP through the gateway's admission: the pipeline's EAP relay (RADIUS: EAP-TLS,
   * EAP-MSCHAPv2) runs the method; a Failure is reported by the admission. Each step waits on
   * the connection's reader thread (at most {@link #AUTH_TIMEOUT_SECONDS}).
   */
  private final class EapRelay implements PppSession.EapBackend {
    private EapConversation conversation;
    private int lastId;

    @Override
    public EapConversation.Step begin() {
      attempt = ctx.admission().begin(new ClientInfo(VpnProtocol.SSTP, id, remote));
      EapAuthenticator eap;
      try {
        eap = ctx.admission().authentication().eapAlone();
      } catch (AuthenticationException e) {
        return refuse(e.reason(), e.getMessage());
      }
      conversation = eap.start(attempt.client(), Optional.empty());
      return await(conversation.begin());
    }

    @Override
    public EapConversation.Step receive(byte[] eapPacket) {
      lastId = eapPacket[1] & 0xff;
      return await(conversation.receive(eapPacket));
    }

    private EapConversation.Step await(CompletionStage<EapConversation.Step> stage) {
      EapConversation.Step step;
      try {
        step = stage.toCompletableFuture().get(AUTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        return refuse(RefusalReason.AUTH_SERVER_UNAVAILABLE, "no EAP answer in time");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return refuse(RefusalReason.INTERNAL_ERROR, "interrupted");
      } catch (ExecutionException e) {
        LOG.log(Level.WARNING, "EAP backend failed", e.getCause());
        return refuse(RefusalReason.INTERNAL_ERROR, "EAP backend failed");
      }
      if (step instanceof EapConversation.Step.Failure f) {
        attempt.refuse(f.reason(), f.message());
      } else if (step instanceof EapConversation.Step.Send s) {
        lastId = s.eapPacket().length > 1 ? s.eapPacket()[1] & 0xff : lastId;
      }
      return step;
    }

    private EapConversation.Step refuse(RefusalReason reason, String message) {
      attempt.refuse(reason, message);
      close();
      // EAP-Failure (RFC 3748 section 4.2): code 4, the last identifier, length 4
      return new EapConversation.Step.Failure(
          new byte[] {4, (byte) lastId, 0, 4}, reason, message);
    }

    @Override
    public void close() {
      if (conversation != null) {
        conversation.close();
      }
    }
  }
}
