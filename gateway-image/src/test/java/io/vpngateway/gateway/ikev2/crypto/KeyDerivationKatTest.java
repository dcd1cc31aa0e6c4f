package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vpngateway.gateway.ikev2.message.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known-answer tests of the IKEv2 key derivation (RFC 7296 §2.13-§2.14): the NIST CAVP SP 800-135
 * IKEv2 vectors for SKEYSEED = prf(Ni | Nr, g^ir) and for prf+(SKEYSEED, Ni | Nr | SPIi | SPIr),
 * with minimum and maximum nonce sizes, for HMAC-SHA2-256/384/512; RFC 4231 for the HMAC itself.
 */
class KeyDerivationKatTest {
  record Vector(String kind, PrfAlgorithm prf, byte[] key, byte[] salt, byte[] out) {
    @Override
    public String toString() {
      return kind + " " + prf + " (salt " + salt.length + " octets)";
    }
  }

  static Stream<Vector> cavp() throws IOException {
    try (InputStream in = KeyDerivationKatTest.class.getResourceAsStream("/ikev2/cavp-ikev2-kdf.txt")) {
      List<Vector> list =
          new String(in.readAllBytes(), StandardCharsets.US_ASCII)
              .lines()
              .filter(l -> !l.startsWith("#") && !l.isBlank())
              .map(l -> l.split(" "))
              .map(f -> new Vector(f[0], PrfAlgorithm.valueOf(f[1]), Hex.bytes(f[2]),
                  Hex.bytes(f[3]), Hex.bytes(f[4])))
              .toList();
      assertEquals(12, list.size());
      return list.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cavp")
  void cavpVectors(Vector v) {
    byte[] actual =
        v.kind().equals("prf")
            ? v.prf().prf(v.salt(), v.key())
            : v.prf().prfPlus(v.key(), v.salt(), v.out().length);
    assertArrayEquals(v.out(), actual);
  }

  @Test
  void skeyseedIsThePrfOfTheNoncesOverTheSharedSecret() throws IOException {
    Vector v = cavp().filter(x -> x.kind().equals("prf")).findFirst().orElseThrow();
    byte[] ni = Arrays.copyOf(v.salt(), v.salt().length / 2);
    byte[] nr = Arrays.copyOfRange(v.salt(), v.salt().length / 2, v.salt().length);
    assertArrayEquals(v.out(), IkeSaKeys.skeyseed(v.prf(), ni, nr, v.key()));
  }

  @Test
  void ikeSaKeysSplitPrfPlusInRfcOrder() throws IOException {
    Vector v =
        cavp()
            .filter(x -> x.kind().equals("prfplus") && x.prf() == PrfAlgorithm.HMAC_SHA2_256)
            .findFirst()
            .orElseThrow();
    // salt = Ni (8) | Nr (8) | SPIi | SPIr in the minimum-nonce vector
    byte[] ni = Arrays.copyOfRange(v.salt(), 0, 8);
    byte[] nr = Arrays.copyOfRange(v.salt(), 8, 16);
    long spiI = java.nio.ByteBuffer.wrap(v.salt(), 16, 8).getLong();
    long spiR = java.nio.ByteBuffer.wrap(v.salt(), 24, 8).getLong();
    IkeSuite suite =
        new IkeSuite(EncryptionAlgorithm.AES_CBC, 128, PrfAlgorithm.HMAC_SHA2_256,
            IntegrityAlgorithm.HMAC_SHA1_96, DhGroup.ECP_256);
    IkeSaKeys keys = IkeSaKeys.derive(suite, v.key(), ni, nr, spiI, spiR);
    // 32 SK_d + 2 x 20 SK_a + 2 x 16 SK_e + 2 x 32 SK_p = 168 > 132: check the vector's prefix
    byte[] all =
        IkeSaKeys.concat(
            keys.skD(), keys.skAi(), keys.skAr(), keys.skEi(), keys.skEr(), keys.skPi(),
            keys.skPr());
    assertArrayEquals(Arrays.copyOf(v.out(), 132), Arrays.copyOf(all, 132));
    assertEquals(16, keys.skEi().length);
    assertEquals(32, keys.skPr().length);
  }

  @Test
  void hmacSha256Rfc4231Case2() {
    byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(
        Hex.bytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        PrfAlgorithm.HMAC_SHA2_256.prf(key, data));
  }

  @Test
  void childSaKeysTakeInitiatorToResponderFirst() {
    EspSuite suite = new EspSuite(EncryptionAlgorithm.AES_GCM_16, 256, null, null);
    byte[] skD = new byte[32];
    byte[] ni = new byte[32];
    byte[] nr = new byte[32];
    Arrays.fill(ni, (byte) 1);
    Arrays.fill(nr, (byte) 2);
    byte[] km = PrfAlgorithm.HMAC_SHA2_256.prfPlus(skD, IkeSaKeys.concat(ni, nr), 72);
    ChildSaKeys keys = ChildSaKeys.derive(suite, PrfAlgorithm.HMAC_SHA2_256, skD, null, ni, nr);
    assertArrayEquals(Arrays.copyOf(km, 36), keys.encryptionInitiatorToResponder());
    assertArrayEquals(Arrays.copyOfRange(km, 36, 72), keys.encryptionResponderToInitiator());
    assertEquals(0, keys.integrityInitiatorToResponder().length);
  }
}
