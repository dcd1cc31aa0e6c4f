package io.vpngateway.gateway.auth.radius.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 2759 section 9.2 and RFC 3079 section 3.5.3 vectors. */
class MsChapV2Test {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] AUTH_CHALLENGE = HEX.parseHex("5b5d7c7d7b3f2f3e3c2c602132262628");
  private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255e262a28295f2b3a337c7e");
  private static final byte[] NT_RESPONSE =
      HEX.parseHex("82309ecd8d708b5ea08faa3981cd83544233114a3d85d6df");

  @Test
  void rfc2759Vectors() {
    assertArrayEquals(HEX.parseHex("44ebba8d5312b8d611474411f56989ae"),
        MsChapV2.ntPasswordHash("clientPass"));
    assertArrayEquals(HEX.parseHex("d02e4386bce91226"),
        MsChapV2.challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, "User"));
    assertArrayEquals(NT_RESPONSE,
        MsChapV2.ntResponse(AUTH_CHALLENGE, PEER_CHALLENGE, "User", "clientPass"));
    assertEquals("S=407A5589115FD0D6209F510FE9C04566932CDA56",
        MsChapV2.authenticatorResponse("clientPass", NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE,
            "User"));
  }

  @Test
  void authenticatorResponseCheckIgnoresCaseAndTrailingMessageButNotOneDigit() {
    String expected = "S=407A5589115FD0D6209F510FE9C04566932CDA56";
    assertTrue(MsChapV2.authenticatorResponseMatches(expected,
        "S=407a5589115fd0d6209f510fe9c04566932cda56 M=Welcome"));
    assertFalse(MsChapV2.authenticatorResponseMatches(expected,
        "S=407A5589115FD0D6209F510FE9C04566932CDA57"));
    assertFalse(MsChapV2.authenticatorResponseMatches(expected, "S=407A"));
    assertFalse(MsChapV2.authenticatorResponseMatches(expected, null));
  }

  @Test
  void rfc3079KeyVectors() {
    assertArrayEquals(HEX.parseHex("41c00c584bd2d91c4017a2a12fa59f3f"),
        MsChapV2.md4(MsChapV2.ntPasswordHash("clientPass")));
    byte[] master = MsChapV2.masterKey("clientPass", NT_RESPONSE);
    assertArrayEquals(HEX.parseHex("fdece3717a8c838cb388e527ae3cdd31"), master);
    // the sample's "SendStartKey128" is the server's send key, which is the client's receive key
    byte[] serverSend = MsChapV2.asymmetricStartKey(master, true, true);
    assertArrayEquals(HEX.parseHex("8b7cdc149b993a1ba118cb153f56dccb"), serverSend);
    assertArrayEquals(serverSend, MsChapV2.asymmetricStartKey(master, false, false));
    // the server's receive key is the client's send key (the other half of SSTP's HLAK)
    byte[] serverReceive = MsChapV2.asymmetricStartKey(master, false, true);
    assertArrayEquals(HEX.parseHex("d5f0e9521e3ea9589645e86051c82226"), serverReceive);
    assertArrayEquals(serverReceive, MsChapV2.asymmetricStartKey(master, true, false));
  }

  @Test
  void oneWrongCharacterOfThePasswordChangesTheResponse() {
    assertFalse(java.util.Arrays.equals(NT_RESPONSE,
        MsChapV2.ntResponse(AUTH_CHALLENGE, PEER_CHALLENGE, "User", "clientPasS")));
  }
}
