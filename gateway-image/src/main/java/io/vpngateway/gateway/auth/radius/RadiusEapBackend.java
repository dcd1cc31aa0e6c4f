package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.EapAuthenticator;
import io.vpngateway.gateway.auth.EapConversation;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.eap.EapPacket;
import io.vpngateway.gateway.auth.radius.eap.EapRelay;
import io.vpngateway.gateway.auth.radius.eap.EapStep;
import io.vpngateway.gateway.config.SecretBytes;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The pipeline's {@link EapAuthenticator} on the RADIUS {@link EapRelay} (RFC 3579): what IKEv2
 * (EAP payloads) and SSTP (PPP EAP) call for EAP-MSCHAPv2, EAP-TLS or any method the RADIUS server
 * runs. {@link EapConversation.Step.Success#msk()} is the 64-octet MSK from MS-MPPE-Recv-Key ‖
 * MS-MPPE-Send-Key; it is empty (length 0) when the server sent no keys, and a protocol that needs
 * keys must then refuse.
 *
 * <p>With an identity hint (the IKEv2 IDi) the conversation starts at the server with that
 * identity; without one, {@link EapConversation#begin()} asks the client with EAP-Request/Identity.
 */
public final class RadiusEapBackend implements EapAuthenticator {
  private final RadiusService service;

  public RadiusEapBackend(RadiusService service) {
    this.service = service;
  }

  @Override
  public EapConversation start(ClientInfo client, Optional<String> identityHint) {
    return new Conversation(
        service.eapRelay().start(RadiusPasswordBackend.nas(client, service)), identityHint);
  }

  private static final class Conversation implements EapConversation {
    private final EapRelay.Conversation relay;
    private final Optional<String> hint;

    Conversation(EapRelay.Conversation relay, Optional<String> hint) {
      this.relay = relay;
      this.hint = hint;
    }

    @Override
    public CompletionStage<Step> begin() {
      if (hint.isPresent() && !hint.get().isEmpty()) {
        return receive(EapPacket.identityResponse(0, hint.get()));
      }
      // EAP-Request/Identity (RFC 3748 section 5.1) with identifier 0
      return CompletableFuture.completedFuture(
          new Step.Send(new byte[] {EapPacket.REQUEST, 0, 0, 5, EapPacket.TYPE_IDENTITY}));
    }

    @Override
    public CompletionStage<Step> receive(byte[] eapPacket) {
      return relay.relay(eapPacket).thenApply(Conversation::step);
    }

    private static Step step(EapStep s) {
      if (s instanceof EapStep.Continue c) {
        return new Step.Send(c.eapToPeer());
      }
      if (s instanceof EapStep.Success ok) {
        RadiusAccept a = ok.accept();
        byte[] msk = a.mppeKeys().map(k -> k.msk()).orElse(new byte[0]);
        SecretBytes key = SecretBytes.of(msk);
        SecretBytes.wipe(msk);
        return new Step.Success(ok.eapToPeer(), key, ClientIdentity.of(a.userName(), a.groups(),
            AuthMethod.RADIUS, "radius " + a.server().label()));
      }
      EapStep.Failure f = (EapStep.Failure) s;
      RefusalReason reason = f.reason().equals(RadiusException.UNAVAILABLE)
          ? RefusalReason.AUTH_SERVER_UNAVAILABLE : RefusalReason.EAP_FAILURE;
      return new Step.Failure(f.eapToPeer(), reason, f.message());
    }

    @Override
    public void close() {
      // the relay keeps no server-side state; the RADIUS server expires its EAP session itself
    }
  }
}
