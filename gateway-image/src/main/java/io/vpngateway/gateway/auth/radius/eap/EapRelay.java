package io.vpngateway.gateway.auth.radius.eap;

import io.vpngateway.gateway.auth.radius.NasContext;
import io.vpngateway.gateway.auth.radius.RadiusAccept;
import io.vpngateway.gateway.auth.radius.RadiusClient;
import io.vpngateway.gateway.auth.radius.RadiusException;
import io.vpngateway.gateway.auth.radius.RadiusResponse;
import io.vpngateway.gateway.auth.radius.RadiusServerEndpoint;
import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Relays an EAP conversation between a VPN client (the EAP peer, reached over IKEv2 or SSTP/PPP)
 * and the RADIUS server (the EAP server), as a pass-through authenticator (RFC 3579, RFC 3748
 * section 2.3). The gateway never looks inside the method: EAP-MSCHAPv2, EAP-TLS, PEAP or anything
 * the server supports goes through unchanged.
 *
 * <p>What it does for each packet: splits the peer's EAP packet into EAP-Message attributes of at
 * most 253 octets (RFC 3579 section 3.1), adds User-Name (the identity from the peer's first
 * EAP-Response/Identity), the State of the previous Access-Challenge, the {@link NasContext}
 * attributes, Framed-MTU and a Message-Authenticator, and sends it; it then requires a valid
 * Message-Authenticator on the reply (section 3.2), reassembles the reply's EAP-Message attributes
 * and answers with an {@link EapStep}. The conversation stays on the server that answered first
 * (its State means nothing elsewhere); until then, servers are tried by priority with failover.
 * On Access-Accept the MS-MPPE-Send/Recv-Key attributes are decrypted (RFC 2548 section 2.4.2) into
 * {@code accept.mppeKeys()}: the MSK the IKEv2 AUTH payload and the SSTP crypto binding need.
 *
 * <p>Threads: {@link Conversation#relay} returns at once; the RADIUS exchange runs on the executor
 * given here and completes the future there. One packet at a time per conversation (EAP is
 * lock-step); the caller resumes its protocol state machine from the future on its own thread.
 *
 * <p>Example (an IKEv2 server with EAP, on its control thread):
 *
 * <pre>{@code
 * EapRelay relay = gateway.eapRelay();                       // shared, thread-safe
 * EapRelay.Conversation eap = relay.start(new NasContext("vpn/corp", clientAddress, sessionId,
 *     "IKEv2"));
 * // the peer's first EAP packet: EAP-Response/Identity (IKEv2 sends the IDi as that identity)
 * eap.relay(EapPacket.identityResponse(0, idi)).thenAccept(step -> controlThread.execute(() -> {
 *   switch (step) {
 *     case EapStep.Continue c -> sendToPeer(c.eapToPeer());     // then relay the peer's answer
 *     case EapStep.Success s -> admit(s.accept().userName(), s.accept().groups(),
 *         s.accept().mppeKeys().orElseThrow().msk(), s.eapToPeer());
 *     case EapStep.Failure f -> refuse(f.reason(), f.eapToPeer());
 *   }
 * }));
 * }</pre>
 *
 * (Switch patterns need Java 21; on 17 use {@code instanceof}.)
 */
public final class EapRelay {
  /** Framed-MTU sent with EAP so EAP-TLS fragments fit an IKE or PPP frame (RFC 3579 2.2). */
  public static final int FRAMED_MTU = 1200;

  public static final String REJECTED = "EapRejected";
  public static final String MALFORMED = "EapMalformed";

  private final RadiusClient client;
  private final Executor executor;

  public EapRelay(RadiusClient client, Executor executor) {
    this.client = client;
    this.executor = executor;
  }

  /** Starts a conversation for one client connection. */
  public Conversation start(NasContext nas) {
    return new Conversation(nas);
  }

  /** One client's EAP conversation. Not reusable once it reached Success or Failure. */
  public final class Conversation {
    private final NasContext nas;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile String identity;
    private volatile byte[] state;
    private volatile RadiusServerEndpoint server;
    private volatile int lastRequestId;
    private volatile boolean finished;
    private volatile long serverNanos;

    private Conversation(NasContext nas) {
      this.nas = nas;
    }

    /** The identity from the peer's EAP-Response/Identity, once seen (null before). */
    public String identity() {
      return identity;
    }

    /**
     * Relays one EAP packet from the peer (the whole packet, header included; the first one is
     * normally EAP-Response/Identity). Never completes exceptionally: every failure is an {@link
     * EapStep.Failure} carrying an EAP-Failure for the peer.
     *
     * @throws IllegalStateException when called while the previous packet is still in flight, or
     *     after the conversation finished
     */
    public CompletableFuture<EapStep> relay(byte[] eapFromPeer) {
      if (finished) {
        throw new IllegalStateException("EAP conversation already finished");
      }
      if (!busy.compareAndSet(false, true)) {
        throw new IllegalStateException("EAP conversation: previous packet still in flight");
      }
      byte[] packet = eapFromPeer.clone();
      return CompletableFuture.supplyAsync(() -> step(packet), executor)
          .whenComplete((s, e) -> busy.set(false));
    }

    private EapStep step(byte[] packet) {
      if (!EapPacket.wellFormed(packet) || EapPacket.code(packet) != EapPacket.RESPONSE) {
        return fail(MALFORMED, "the peer's packet is not a well-formed EAP-Response");
      }
      if (identity == null) {
        if (EapPacket.type(packet).orElse(0) != EapPacket.TYPE_IDENTITY) {
          return fail(MALFORMED, "the first EAP packet must be a Response/Identity");
        }
        identity = new String(packet, 5, packet.length - 5,
            java.nio.charset.StandardCharsets.UTF_8);
        if (identity.isEmpty() || identity.chars().anyMatch(c -> c < 0x20)) {
          return fail(MALFORMED, "the EAP identity is empty or not printable");
        }
      }
      List<RadiusAttribute> attrs = new ArrayList<>();
      attrs.add(RadiusAttribute.string(RadiusAttributeType.USER_NAME, identity));
      attrs.addAll(nas.attributes());
      attrs.add(RadiusAttribute.integer(RadiusAttributeType.FRAMED_MTU, FRAMED_MTU));
      for (int i = 0; i < packet.length; i += RadiusAttribute.MAX_VALUE_LENGTH) {
        attrs.add(new RadiusAttribute(RadiusAttributeType.EAP_MESSAGE, Arrays.copyOfRange(packet,
            i, Math.min(packet.length, i + RadiusAttribute.MAX_VALUE_LENGTH))));
      }
      if (state != null) {
        attrs.add(new RadiusAttribute(RadiusAttributeType.STATE, state));
      }
      RadiusResponse response;
      try {
        response = client.access((secret, ra) -> attrs, true, server);
      } catch (RadiusException e) {
        return fail(e.reason(), e.getMessage());
      }
      serverNanos += response.serverNanos();
      server = response.server();
      RadiusPacket reply = response.packet();
      byte[] eap = reassemble(reply);
      if (eap != null && !EapPacket.wellFormed(eap)) {
        return fail(MALFORMED, "the server's EAP-Message does not form one EAP packet");
      }
      if (reply.code() == RadiusCode.ACCESS_CHALLENGE) {
        if (eap == null || EapPacket.code(eap) != EapPacket.REQUEST) {
          return fail(MALFORMED, "Access-Challenge without an EAP-Request");
        }
        lastRequestId = EapPacket.identifier(eap);
        state = reply.first(RadiusAttributeType.STATE).map(RadiusAttribute::value).orElse(null);
        return new EapStep.Continue(eap);
      }
      finished = true;
      if (reply.code() == RadiusCode.ACCESS_ACCEPT) {
        byte[] success = eap != null && EapPacket.code(eap) == EapPacket.SUCCESS ? eap
            : EapPacket.result(EapPacket.SUCCESS, lastRequestId);
        try {
          return new EapStep.Success(success,
              RadiusAccept.of(response, identity, client.settings(), serverNanos));
        } catch (RadiusException e) {
          return fail(e.reason(), e.getMessage());
        }
      }
      byte[] failure = eap != null && EapPacket.code(eap) == EapPacket.FAILURE ? eap
          : EapPacket.result(EapPacket.FAILURE, lastRequestId);
      return new EapStep.Failure(failure, REJECTED, "the RADIUS server rejected " + identity);
    }

    private EapStep fail(String reason, String message) {
      finished = true;
      return new EapStep.Failure(EapPacket.result(EapPacket.FAILURE, lastRequestId), reason,
          message);
    }
  }

  /** The EAP-Message attributes of {@code reply} concatenated in order, or null when none. */
  static byte[] reassemble(RadiusPacket reply) {
    List<RadiusAttribute> parts = reply.attributes(RadiusAttributeType.EAP_MESSAGE);
    if (parts.isEmpty()) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (RadiusAttribute a : parts) {
      out.writeBytes(a.value());
    }
    return out.toByteArray();
  }
}
