package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.exception.IkeProtocolException;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What an exchange handler answers a request with: the payloads of the response and what to do
 * once it has been sent (install state that must not exist before the peer can know it, or end the
 * IKE SA after an error); or, when the answer depends on something that completes later (an
 * authentication backend), that stage and how to continue on the control thread once it is done.
 */
record Reply(
    List<IkePayload> payloads,
    Runnable afterSend,
    CompletionStage<Object> pending,
    Continuation<Object> then) {

  /** Continues a deferred answer on the control thread. */
  @FunctionalInterface
  interface Continuation<T> {
    Reply apply(T value) throws IkeProtocolException;
  }

  Reply {
    payloads = List.copyOf(payloads);
  }

  static Reply of(List<IkePayload> payloads) {
    return new Reply(payloads, () -> {}, null, null);
  }

  static Reply empty() {
    return of(List.of());
  }

  static Reply of(List<IkePayload> payloads, Runnable afterSend) {
    return new Reply(payloads, afterSend, null, null);
  }

  /** An answer that waits for {@code stage}, then is computed by {@code then}. */
  @SuppressWarnings("unchecked")
  static <T> Reply after(CompletionStage<T> stage, Continuation<T> then) {
    return new Reply(
        List.of(), () -> {}, (CompletionStage<Object>) stage, v -> then.apply((T) v));
  }

  boolean isDeferred() {
    return pending != null;
  }
}
