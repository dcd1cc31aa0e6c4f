package io.vpngateway.api.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vpngateway.api.profile.IpsecProposal.Cipher;
import io.vpngateway.api.profile.IpsecProposal.DhGroup;
import io.vpngateway.api.profile.IpsecProposal.Hash;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpsecProposalTest {
  @ParameterizedTest
  @CsvSource({
    "aes256gcm16-prfsha384-ecp384, AES256_GCM, , SHA384, ECP384",
    "aes128gcm16-prfsha256-ecp256, AES128_GCM, , SHA256, ECP256",
    "aes256-sha256-modp2048, AES256_CBC, SHA256, , MODP2048",
    "aes256-sha256-modp2048s256, AES256_CBC, SHA256, , MODP2048S256",
    "aes256gcm16, AES256_GCM, , , ",
    "aes256gcm16-ecp384, AES256_GCM, , , ECP384",
    "aes128-sha256, AES128_CBC, SHA256, , ",
    "AES256GCM16-PRFSHA384-CURVE25519, AES256_GCM, , SHA384, CURVE25519",
  })
  void parsesStrongSwanNotation(
      String text, Cipher cipher, Hash integrity, Hash prf, DhGroup group) {
    IpsecProposal p = IpsecProposal.parse(text);
    assertEquals(cipher, p.encryption());
    assertEquals(Optional.ofNullable(integrity), p.integrity());
    assertEquals(Optional.ofNullable(prf), p.prf());
    assertEquals(Optional.ofNullable(group), p.group());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "sha256-modp2048",
        "aes256-modp2048",
        "aes256gcm16-blowfish",
        "3des-md5-modp1024"
      })
  void rejectsWhatItCannotTranslate(String text) {
    var error = assertThrows(IllegalArgumentException.class, () -> IpsecProposal.parse(text));
    assertTrue(error.getMessage().contains("proposal"), error.getMessage());
  }
}
