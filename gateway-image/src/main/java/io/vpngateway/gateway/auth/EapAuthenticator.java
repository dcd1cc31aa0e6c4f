package io.vpngateway.gateway.auth;

import java.util.Optional;

/**
 * An EAP backend (RFC 3748): the gateway relays EAP packets between a client (IKEv2 EAP payloads,
 * RFC 7296 §2.16; PPP EAP inside SSTP) and a server that runs the method (RADIUS EAP-Message, RFC
 * 3579), without knowing the method itself.
 *
 * <p>To plug one in: implement this and {@link EapConversation} in the backend's package ({@code
 * auth/radius}); the pipeline offers it to every protocol that can carry EAP through {@link
 * AuthenticationPipeline#eap()}.
 */
public interface EapAuthenticator {
  /**
   * Starts a conversation for one client.
   *
   * @param identityHint the identity the client already stated outside EAP (the IKEv2 IDi), which
   *     a backend may use instead of asking with EAP-Request/Identity
   */
  EapConversation start(ClientInfo client, Optional<String> identityHint);
}
