package io.vpngateway.gateway.auth;

import io.vpngateway.gateway.config.SecretBytes;
import java.util.concurrent.CompletionStage;

/**
 * One EAP exchange, relayed by the gateway. The protocol sends what {@link #begin()} yields, then
 * feeds each EAP packet from the client to {@link #receive} and sends the answer, until a {@link
 * Step.Success} or {@link Step.Failure}. Packets are whole EAP packets (Code, Identifier, Length,
 * Data; RFC 3748 §4). Calls are made one at a time: the next {@code receive} only after the
 * previous stage completed.
 */
public interface EapConversation extends AutoCloseable {
  /** The first request to the client (usually EAP-Request/Identity). */
  CompletionStage<Step> begin();

  /** The client's next EAP packet; completes with what to send back. */
  CompletionStage<Step> receive(byte[] eapPacket);

  /** Abandons the conversation (client gone, timeout); frees backend state. Idempotent. */
  @Override
  void close();

  /** What to do next. */
  sealed interface Step permits Step.Send, Step.Success, Step.Failure {
    /** Send {@code eapPacket} (an EAP-Request) to the client and wait for its response. */
    record Send(byte[] eapPacket) implements Step {}

    /**
     * Authenticated: send {@code eapSuccess} (EAP-Success), derive the protocol's keys from
     * {@code msk} (the Master Session Key, RFC 5247 §1.4: IKEv2 AUTH, SSTP's crypto binding).
     */
    record Success(byte[] eapSuccess, SecretBytes msk, ClientIdentity identity) implements Step {}

    /** Refused: send {@code eapFailure} (EAP-Failure) and end. */
    record Failure(byte[] eapFailure, RefusalReason reason, String message) implements Step {}
  }
}
