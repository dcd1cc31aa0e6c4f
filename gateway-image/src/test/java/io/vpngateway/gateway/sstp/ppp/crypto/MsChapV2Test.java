package io.vpngateway.gateway.sstp.ppp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known-answer vectors of RFC 2759 section 9.2, each intermediate value pinned. */
class MsChapV2Test {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] USER = "User".getBytes(StandardCharsets.US_ASCII);
  static final String PASSWORD = "clientPass";
  static final byte[] AUTH_CHALLENGE = HEX.parseHex("5b5d7c7d7b3f2f3e3c2c602132262628");
  static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255e262a28295f2b3a337c7e");
  static final byte[] NT_RESPONSE =
      HEX.parseHex("82309ecd8d708b5ea08faa3981cd83544233114a3d85d6df");

  @Test
  void passwordHashes() {
    byte[] hash = MsChapV2.ntPasswordHash(PASSWORD);
    assertEquals("44ebba8d5312b8d611474411f56989ae", HEX.formatHex(hash));
    assertEquals(
        "41c00c584bd2d91c4017a2a12fa59f3f", HEX.formatHex(MsChapV2.hashNtPasswordHash(hash)));
  }

  @Test
  void challengeHash() {
    assertEquals(
        "d02e4386bce91226",
        HEX.formatHex(MsChapV2.challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, USER)));
  }

  @Test
  void ntResponse() {
    byte[] nt =
        MsChapV2.ntResponse(
            AUTH_CHALLENGE, PEER_CHALLENGE, USER, MsChapV2.ntPasswordHash(PASSWORD));
    assertArrayEquals(NT_RESPONSE, nt);
  }

  @Test
  void authenticatorResponse() {
    String s =
        MsChapV2.authenticatorResponse(
            MsChapV2.ntPasswordHash(PASSWORD), NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE, USER);
    assertEquals("S=407A5589115FD0D6209F510FE9C04566932CDA56", s);
    assertTrue(MsChapV2.authenticatorResponseMatches(s, s.toLowerCase() + " M=hi"));
    assertFalse(
        MsChapV2.authenticatorResponseMatches(s, "S=407A5589115FD0D6209F510FE9C04566932CDA57"));
  }

  @Test
  void aWrongPasswordGivesAnotherResponse() {
    byte[] nt =
        MsChapV2.ntResponse(
            AUTH_CHALLENGE, PEER_CHALLENGE, USER, MsChapV2.ntPasswordHash("clientPasS"));
    assertFalse(MsChapV2.matches(NT_RESPONSE, nt));
  }
}
