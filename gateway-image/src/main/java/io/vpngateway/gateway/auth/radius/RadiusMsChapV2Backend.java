package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.AuthMethod;
import io.vpngateway.gateway.auth.ClientIdentity;
import io.vpngateway.gateway.auth.ClientInfo;
import io.vpngateway.gateway.auth.MsChapV2Authenticator;
import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import io.vpngateway.gateway.config.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * RADIUS as the pipeline's {@link MsChapV2Authenticator}: a PPP MS-CHAPv2 Response the gateway
 * cannot check itself (SSTP clients answer a challenge; the gateway never sees the password) goes
 * to the RADIUS server as MS-CHAP-Challenge + MS-CHAP2-Response (RFC 2548 sections 2.3.2 and
 * 2.3.3). An Access-Accept counts only with an MS-CHAP2-Success (the authenticator response the
 * client checks, RFC 2759 section 5) and both MS-MPPE keys (section 2.4; SSTP's crypto binding is
 * keyed by them): a server that accepts without them cannot prove it knew the password, and the
 * session could not be bound, so the client is refused with the reason.
 *
 * <p>Runs on the {@link RadiusService}'s pool, never on the caller's thread.
 */
public final class RadiusMsChapV2Backend implements MsChapV2Authenticator {
  private static final Pattern AUTHENTICATOR_RESPONSE = Pattern.compile("S=[0-9A-Fa-f]{40}");
  /** The Ident octet of MS-CHAP2-Response, echoed by the server in MS-CHAP2-Success. */
  private static final int IDENT = 1;

  private final RadiusService service;

  public RadiusMsChapV2Backend(RadiusService service) {
    this.service = service;
  }

  @Override
  public CompletionStage<Result> authenticate(ClientInfo client, Response response) {
    return CompletableFuture.supplyAsync(() -> exchange(client, response), service.executor());
  }

  private Result exchange(ClientInfo client, Response r) {
    if (r.userName().isEmpty()
        || r.userName().getBytes(StandardCharsets.UTF_8).length > RadiusAttribute.MAX_VALUE_LENGTH
        || r.authenticatorChallenge().length != 16
        || r.peerChallenge().length != 16
        || r.ntResponse().length != 24) {
      return new Result.Refused(RefusalReason.BAD_CREDENTIALS, "malformed MS-CHAPv2 response");
    }
    RadiusResponse response;
    try {
      RadiusSettings settings = service.client().settings();
      List<RadiusAttribute> attributes = new ArrayList<>();
      attributes.add(RadiusAttribute.string(RadiusAttributeType.USER_NAME, r.userName()));
      attributes.addAll(RadiusPasswordBackend.nas(client, service).attributes());
      attributes.add(RadiusAttribute.vendor(RadiusAttributeType.VENDOR_MICROSOFT,
          RadiusAttributeType.MS_CHAP_CHALLENGE, r.authenticatorChallenge()));
      // Ident, Flags, Peer-Challenge, 8 reserved octets, NT-Response (RFC 2548 section 2.3.2)
      ByteBuffer v = ByteBuffer.allocate(50);
      v.put((byte) IDENT).put((byte) 0).put(r.peerChallenge()).put(new byte[8])
          .put(r.ntResponse());
      attributes.add(RadiusAttribute.vendor(RadiusAttributeType.VENDOR_MICROSOFT,
          RadiusAttributeType.MS_CHAP2_RESPONSE, v.array()));
      response = service.client().access((secret, ra) -> attributes, false, null);
      return result(response, r.userName(), settings);
    } catch (RadiusException e) {
      return new Result.Refused(RefusalReason.AUTH_SERVER_UNAVAILABLE, e.getMessage());
    }
  }

  private static Result result(RadiusResponse response, String user, RadiusSettings settings) {
    RadiusPacket reply = response.packet();
    if (reply.code() == RadiusCode.ACCESS_REJECT) {
      String message = RadiusPasswordAuthenticator.replyMessage(reply);
      return new Result.Refused(RefusalReason.BAD_CREDENTIALS,
          "RADIUS rejected " + user + (message.isEmpty() ? "" : ": " + message));
    }
    if (reply.code() != RadiusCode.ACCESS_ACCEPT) {
      // PPP's MS-CHAPv2 has no way to carry a challenge's prompt to the user
      return new Result.Refused(RefusalReason.AUTH_METHOD_NOT_SUPPORTED,
          "the RADIUS server answered MS-CHAPv2 with a challenge, which PPP cannot relay");
    }
    Optional<String> proof = authenticatorResponse(reply);
    if (proof.isEmpty()) {
      return new Result.Refused(RefusalReason.BAD_CREDENTIALS, "the RADIUS server accepted "
          + user + " without MS-CHAP2-Success (it cannot have checked the password)");
    }
    Optional<MppeKeys> keys = response.mppeKeys();
    if (keys.isEmpty()) {
      return new Result.Refused(RefusalReason.AUTH_METHOD_NOT_SUPPORTED, "the RADIUS server"
          + " accepted " + user + " without MS-MPPE keys, which SSTP's crypto binding needs");
    }
    RadiusAccept accept = RadiusAccept.of(response, user, settings, response.serverNanos());
    byte[] send = keys.get().sendKey();
    byte[] receive = keys.get().receiveKey();
    keys.get().wipe();
    try {
      return new Result.Accepted(
          ClientIdentity.of(accept.userName(), accept.groups(), AuthMethod.RADIUS,
              "radius " + accept.server().label()),
          proof.get(),
          SecretBytes.of(send),
          SecretBytes.of(receive));
    } finally {
      SecretBytes.wipe(send);
      SecretBytes.wipe(receive);
    }
  }

  /** {@code S=<40 hex>} from MS-CHAP2-Success (Ident, then the text; RFC 2548 section 2.3.3). */
  static Optional<String> authenticatorResponse(RadiusPacket accept) {
    List<byte[]> success = accept.vendorAttributes(
        RadiusAttributeType.VENDOR_MICROSOFT, RadiusAttributeType.MS_CHAP2_SUCCESS);
    if (success.size() != 1 || success.get(0).length < 43 || (success.get(0)[0] & 0xff) != IDENT) {
      return Optional.empty();
    }
    String text = new String(success.get(0), 1, 42, StandardCharsets.US_ASCII);
    return AUTHENTICATOR_RESPONSE.matcher(text).matches()
        ? Optional.of("S=" + text.substring(2).toUpperCase(java.util.Locale.ROOT))
        : Optional.empty();
  }
}
