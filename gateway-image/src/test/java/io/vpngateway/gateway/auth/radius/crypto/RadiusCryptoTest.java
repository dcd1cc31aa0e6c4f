package io.vpngateway.gateway.auth.radius.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusCode;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RadiusCryptoTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = "xyzzy5461".getBytes(StandardCharsets.US_ASCII);

  /** RFC 2865 section 7.1: nemo's password "arctangent" and the example's authenticators. */
  @Test
  void rfc2865ExampleHidesThePasswordAndChecksTheResponseAuthenticator() throws Exception {
    byte[] ra = HEX.parseHex("0f403f9473978057bd83d5cb98f4227a");
    assertArrayEquals(HEX.parseHex("0dbe708d93d413ce3196e43f782a0aee"),
        RadiusCrypto.hidePassword("arctangent".getBytes(StandardCharsets.US_ASCII), SECRET, ra));
    byte[] accept = HEX.parseHex("0200002686fe220e7624ba2a1005f6bf9b55e0b2"
        + "0606000000010f06000000000e06c0a80103");
    RadiusPacket reply = RadiusPacket.decode(accept, accept.length);
    assertTrue(RadiusCrypto.responseAuthenticatorValid(reply, ra, SECRET));
    assertFalse(RadiusCrypto.responseAuthenticatorValid(reply, ra, "other".getBytes()));
    ra[0] ^= 1;
    assertFalse(RadiusCrypto.responseAuthenticatorValid(reply, ra, SECRET));
  }

  @Test
  void longPasswordsChainBlocksAndRoundTrip() {
    byte[] ra = RadiusCrypto.randomAuthenticator();
    byte[] pw = "a-password-of-more-than-sixteen-octets-and-then-some".getBytes();
    byte[] hidden = RadiusCrypto.hidePassword(pw, SECRET, ra);
    assertEquals(64, hidden.length);
    assertArrayEquals(pw, RadiusCrypto.revealPassword(hidden, SECRET, ra));
    assertThrows(IllegalArgumentException.class,
        () -> RadiusCrypto.hidePassword(new byte[129], SECRET, ra));
  }

  @Test
  void mppeKeysRoundTripAndABadSecretOrShapeIsAnError() throws Exception {
    byte[] ra = RadiusCrypto.randomAuthenticator();
    byte[] key = HEX.parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    byte[] value = RadiusCrypto.encryptMppeKey(key, SECRET, ra, 0x1234);
    assertEquals(2 + 48, value.length);
    assertArrayEquals(key, RadiusCrypto.decryptMppeKey(value, SECRET, ra));
    byte[] truncated = java.util.Arrays.copyOf(value, 20);
    assertThrows(GeneralSecurityException.class,
        () -> RadiusCrypto.decryptMppeKey(truncated, SECRET, ra));
    byte[] noSaltBit = value.clone();
    noSaltBit[0] &= 0x7f;
    assertThrows(GeneralSecurityException.class,
        () -> RadiusCrypto.decryptMppeKey(noSaltBit, SECRET, ra));
  }

  @Test
  void messageAuthenticatorSignsRequestsAndChecksRepliesAgainstTheRequestAuthenticator() {
    RadiusPacket request = new RadiusPacket(RadiusCode.ACCESS_REQUEST, 7,
        RadiusCrypto.randomAuthenticator(),
        List.of(RadiusAttribute.string(RadiusAttributeType.USER_NAME, "alice")));
    RadiusPacket signed = RadiusCrypto.signAccessRequest(request, SECRET, true);
    assertEquals(RadiusAttributeType.MESSAGE_AUTHENTICATOR, signed.attributes().get(0).type());
    assertTrue(RadiusCrypto.requestMessageAuthenticatorValid(signed, SECRET));
    assertFalse(RadiusCrypto.requestMessageAuthenticatorValid(signed, "nope".getBytes()));

    // a reply signed the server's way: HMAC over the reply carrying the request authenticator
    RadiusPacket reply = new RadiusPacket(RadiusCode.ACCESS_ACCEPT, 7, signed.authenticator(),
        List.of(new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, new byte[16])));
    byte[] mac = RadiusCrypto.hmacMd5(SECRET, reply.encode());
    RadiusPacket signedReply = reply.withAttributes(
        List.of(new RadiusAttribute(RadiusAttributeType.MESSAGE_AUTHENTICATOR, mac)))
        .withAuthenticator(new byte[16]);
    assertEquals(RadiusCrypto.MessageAuthenticatorCheck.VALID,
        RadiusCrypto.checkMessageAuthenticator(signedReply, signed.authenticator(), SECRET));
    assertEquals(RadiusCrypto.MessageAuthenticatorCheck.INVALID,
        RadiusCrypto.checkMessageAuthenticator(signedReply, new byte[16], SECRET));
    assertEquals(RadiusCrypto.MessageAuthenticatorCheck.ABSENT,
        RadiusCrypto.checkMessageAuthenticator(request, signed.authenticator(), SECRET));
  }
}
