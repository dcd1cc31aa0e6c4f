package io.vpngateway.gateway.sstp.ppp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * RFC 3079 section 3.5.3 (128-bit keys), from the RFC 2759 section 9.2 exchange: the master key
 * and the sample SendStartKey128, the server's send key (GetAsymmetricStartKey with IsSend and
 * IsServer, Magic3), which is the client's receive key.
 */
class MppeKeyDerivationTest {
  static final HexFormat HEX = HexFormat.of();

  @Test
  void masterKeyAndStartKeys() {
    byte[] hashHash = HEX.parseHex("41c00c584bd2d91c4017a2a12fa59f3f");
    byte[] master = MppeKeyDerivation.masterKey(hashHash, MsChapV2Test.NT_RESPONSE);
    assertEquals("fdece3717a8c838cb388e527ae3cdd31", HEX.formatHex(master));
    byte[] serverSend = MppeKeyDerivation.asymmetricStartKey(master, true, true);
    assertEquals("8b7cdc149b993a1ba118cb153f56dccb", HEX.formatHex(serverSend));
    // the server's send key is the client's receive key, and the other way round
    assertArrayEquals(serverSend, MppeKeyDerivation.asymmetricStartKey(master, false, false));
    assertArrayEquals(
        MppeKeyDerivation.asymmetricStartKey(master, true, false),
        MppeKeyDerivation.asymmetricStartKey(master, false, true));
  }

  @Test
  void serverKeysFromThePasswordHash() {
    MppeKeys keys =
        MppeKeyDerivation.serverKeys(
            MsChapV2.ntPasswordHash(MsChapV2Test.PASSWORD), MsChapV2Test.NT_RESPONSE);
    assertEquals("8b7cdc149b993a1ba118cb153f56dccb", HEX.formatHex(keys.send()));
    assertEquals("d5f0e9521e3ea9589645e86051c82226", HEX.formatHex(keys.receive()));
  }
}
