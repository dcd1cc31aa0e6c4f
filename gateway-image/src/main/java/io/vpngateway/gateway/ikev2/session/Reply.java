package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.message.IkePayload;
import java.util.List;

/**
 * What an exchange handler answers a request with: the payloads of the response and what to do
 * once it has been sent (install state that must not exist before the peer can know it, or end the
 * IKE SA after an error).
 */
record Reply(List<IkePayload> payloads, Runnable afterSend) {
  Reply {
    payloads = List.copyOf(payloads);
  }

  static Reply of(List<IkePayload> payloads) {
    return new Reply(payloads, () -> {});
  }

  static Reply empty() {
    return of(List.of());
  }
}
