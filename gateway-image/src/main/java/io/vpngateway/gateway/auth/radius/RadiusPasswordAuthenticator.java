package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.crypto.MsChapV2;
import io.vpngateway.gateway.auth.radius.crypto.RadiusCrypto;
import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a user name and password (OpenVPN {@code auth-user-pass}) against RADIUS, as PAP (RFC 2865
 * section 5.2) or as MS-CHAPv2 computed by the gateway (RFC 2548 section 2.3, RFC 2759), and relays
 * one round of Access-Challenge (RFC 2865 section 4.4: OTP, PIN, push approval).
 *
 * <p>With MS-CHAPv2 an Access-Accept counts only when its MS-CHAP2-Success carries the
 * authenticator response that proves the server knew the password ({@code RadiusServerNotProven}
 * otherwise): a rogue server that says yes to everyone is refused.
 *
 * <p>Blocking, like {@link RadiusClient}: call it from an executor, never from a protocol thread.
 */
public final class RadiusPasswordAuthenticator {
  public static final String REJECTED = "RadiusRejected";
  public static final String NOT_PROVEN = "RadiusServerNotProven";

  private static final SecureRandom RANDOM = new SecureRandom();
  /** RFC 2865 section 5.2: User-Password holds at most 128 octets. */
  private static final int MAX_PASSWORD = 128;

  private final RadiusClient client;

  public RadiusPasswordAuthenticator(RadiusClient client) {
    this.client = client;
  }

  /** Checks {@code password}; the answer may be a challenge to pass on to the user. */
  public RadiusAuthResult authenticate(String userName, String password, NasContext nas)
      throws RadiusException {
    return exchange(userName, password, null, nas);
  }

  /** Sends the user's answer to {@code challenge}, to the server that asked. */
  public RadiusAuthResult answerChallenge(
      RadiusAuthResult.Challenged challenge, String userName, String answer, NasContext nas)
      throws RadiusException {
    return exchange(userName, answer, challenge, nas);
  }

  private RadiusAuthResult exchange(
      String userName, String secretText, RadiusAuthResult.Challenged challenge, NasContext nas)
      throws RadiusException {
    RadiusSettings settings = client.settings();
    byte[] password = secretText.getBytes(StandardCharsets.UTF_8);
    if (password.length > MAX_PASSWORD || userName.isEmpty()
        || userName.getBytes(StandardCharsets.UTF_8).length > RadiusAttribute.MAX_VALUE_LENGTH) {
      return new RadiusAuthResult.Rejected(REJECTED, "");
    }
    List<RadiusAttribute> common = new ArrayList<>();
    common.add(RadiusAttribute.string(RadiusAttributeType.USER_NAME, userName));
    common.addAll(nas.attributes());
    if (challenge != null) {
      common.add(new RadiusAttribute(RadiusAttributeType.STATE, challenge.state()));
    }
    MsChap mschap =
        settings.passwordProtocol() == RadiusSettings.PasswordProtocol.MSCHAPV2
            ? MsChap.start(userName, secretText)
            : null;
    RadiusClient.AttributesBuilder builder =
        (secret, ra) -> {
          List<RadiusAttribute> attrs = new ArrayList<>(common);
          if (mschap != null) {
            attrs.addAll(mschap.attributes());
          } else {
            attrs.add(
                new RadiusAttribute(
                    RadiusAttributeType.USER_PASSWORD,
                    RadiusCrypto.hidePassword(password, secret, ra)));
          }
          return attrs;
        };
    RadiusResponse response =
        client.access(builder, false, challenge == null ? null : challenge.server());
    java.util.Arrays.fill(password, (byte) 0);
    RadiusPacket reply = response.packet();
    String replyMessage = replyMessage(reply);
    if (reply.code() == RadiusCode.ACCESS_REJECT) {
      return new RadiusAuthResult.Rejected(REJECTED, replyMessage);
    }
    if (reply.code() == RadiusCode.ACCESS_CHALLENGE) {
      byte[] state =
          reply.first(RadiusAttributeType.STATE).map(RadiusAttribute::value).orElse(new byte[0]);
      return new RadiusAuthResult.Challenged(state, replyMessage, response.server());
    }
    if (mschap != null && !mschap.serverProven(reply, secretText)) {
      return new RadiusAuthResult.Rejected(NOT_PROVEN, "");
    }
    return new RadiusAuthResult.Accepted(
        RadiusAccept.of(response, userName, settings, response.serverNanos()));
  }

  /** Reply-Message attributes joined (RFC 2865 section 5.18: several form one message). */
  static String replyMessage(RadiusPacket reply) {
    StringBuilder b = new StringBuilder();
    for (RadiusAttribute a : reply.attributes(RadiusAttributeType.REPLY_MESSAGE)) {
      b.append(a.asString());
    }
    // control characters would break the one-line protocol messages the text ends up in
    return b.toString().replaceAll("[\\p{Cntrl}]", " ").trim();
  }

  /** One MS-CHAPv2 computation: the challenges we chose and the response we sent. */
  private record MsChap(
      String userName, byte[] authChallenge, byte[] peerChallenge, int ident, byte[] ntResponse) {
    static MsChap start(String userName, String password) {
      byte[] auth = new byte[16];
      byte[] peer = new byte[16];
      RANDOM.nextBytes(auth);
      RANDOM.nextBytes(peer);
      int ident = RANDOM.nextInt(256);
      return new MsChap(userName, auth, peer, ident,
          MsChapV2.ntResponse(auth, peer, userName, password));
    }

    List<RadiusAttribute> attributes() {
      ByteBuffer response = ByteBuffer.allocate(50);
      response.put((byte) ident).put((byte) 0).put(peerChallenge).put(new byte[8]).put(ntResponse);
      return List.of(
          RadiusAttribute.vendor(
              RadiusAttributeType.VENDOR_MICROSOFT,
              RadiusAttributeType.MS_CHAP_CHALLENGE,
              authChallenge),
          RadiusAttribute.vendor(
              RadiusAttributeType.VENDOR_MICROSOFT,
              RadiusAttributeType.MS_CHAP2_RESPONSE,
              response.array()));
    }

    /** MS-CHAP2-Success is ident + "S=<40 hex>" (RFC 2548 section 2.3.3), checked here. */
    boolean serverProven(RadiusPacket accept, String password) {
      List<byte[]> success =
          accept.vendorAttributes(
              RadiusAttributeType.VENDOR_MICROSOFT, RadiusAttributeType.MS_CHAP2_SUCCESS);
      if (success.size() != 1 || success.get(0).length < 43) {
        return false;
      }
      byte[] v = success.get(0);
      String text = new String(v, 1, v.length - 1, StandardCharsets.US_ASCII);
      String expected =
          MsChapV2.authenticatorResponse(password, ntResponse, peerChallenge, authChallenge,
              userName);
      return (v[0] & 0xff) == ident && MsChapV2.authenticatorResponseMatches(expected, text);
    }
  }
}
