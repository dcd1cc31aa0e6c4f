package io.vpngateway.gateway.sstp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vpngateway.gateway.sstp.SstpTestPki;
import io.vpngateway.gateway.sstp.crypto.SstpCryptoBindingCheck.Failure;
import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import io.vpngateway.gateway.sstp.message.SstpAttribute;
import io.vpngateway.gateway.sstp.message.SstpControlMessage;
import io.vpngateway.gateway.sstp.message.SstpCryptoBinding;
import io.vpngateway.gateway.sstp.message.SstpMessageType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The Compound MAC (MS-SSTP section 3.2.5.2) against values computed independently (Python's
 * hmac/hashlib, following the section's formulas) for a fixed HLAK (00..1f), nonce (40..5f) and
 * certificate hash; then every check of a binding, one field broken at a time.
 */
class SstpCryptoBindingCheckTest {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] HLAK = HEX.parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  static final byte[] NONCE = HEX.parseHex(
      "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");

  @Test
  void compoundMacKnownAnswers() throws Exception {
    byte[] cert = "certificate".getBytes(StandardCharsets.US_ASCII);
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(cert);
    byte[] message = callConnected(SstpHashProtocol.SHA256, sha256);
    assertEquals(
        "10010070000400010003006800000002404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
            + "5c5d5e5f03d66dd08835c1ca3f128cceacd1f31ac94163096b20f445ae84285bc0832d72"
            + "0".repeat(64),
        HEX.formatHex(message));
    assertEquals(
        "aaee39e308b6005ed24c39714ce67029fcd75bf8c340459a657116fd1ebdeb00",
        HEX.formatHex(SstpCryptoBindingCheck.compoundMacKey(SstpHashProtocol.SHA256, HLAK)));
    assertEquals(
        "8355b5acabcd82b133e32d15df23460079a6d827091193b92de895edaa866718",
        HEX.formatHex(SstpCryptoBindingCheck.compoundMac(SstpHashProtocol.SHA256, HLAK, message)));

    byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(cert);
    assertEquals(
        "548bb05084f0861bc4b774badf8213bca420b341",
        HEX.formatHex(SstpCryptoBindingCheck.compoundMacKey(SstpHashProtocol.SHA1, HLAK)));
    assertEquals(
        "a39471107c81e79f796bc6ce797021836bc3f103",
        HEX.formatHex(
            SstpCryptoBindingCheck.compoundMac(
                SstpHashProtocol.SHA1, HLAK, callConnected(SstpHashProtocol.SHA1, sha1))));
  }

  @Test
  void everyFieldOfTheBindingIsChecked() throws Exception {
    var cert = SstpTestPki.get().server.certificate();
    SstpCryptoBindingCheck check = new SstpCryptoBindingCheck(cert);
    for (SstpHashProtocol p : SstpHashProtocol.values()) {
      byte[] good = signed(p, check.certificateHash(p), HLAK, NONCE);
      assertNull(verify(check, good, 0x03, NONCE, HLAK), p + " valid binding");
      assertEquals(Failure.NONCE_MISMATCH, verify(check, good, 0x03, HLAK, HLAK));
      assertEquals(
          Failure.HASH_PROTOCOL_NOT_OFFERED, verify(check, good, 0x03 & ~p.bit(), NONCE, HLAK));
      byte[] otherHlak = HLAK.clone();
      otherHlak[31] ^= 1;
      assertEquals(Failure.COMPOUND_MAC_MISMATCH, verify(check, good, 0x03, NONCE, otherHlak));
      byte[] wrongCert = check.certificateHash(p);
      wrongCert[0] ^= 1;
      assertEquals(
          Failure.CERTIFICATE_HASH_MISMATCH,
          verify(check, signed(p, wrongCert, HLAK, NONCE), 0x03, NONCE, HLAK));
      // the MAC covers the whole message: any flipped octet is refused, as malformed or by a
      // check, except the zero padding after a SHA-1 MAC (zeroed before the MAC is computed)
      for (int i = 0; i < good.length; i++) {
        if (i >= SstpCryptoBinding.MAC_OFFSET_IN_CALL_CONNECTED + p.length()) {
          continue;
        }
        byte[] flipped = good.clone();
        flipped[i] ^= 0x01;
        try {
          assertNotNull(
              verify(check, flipped, 0x03, NONCE, HLAK), p + ": flipped octet " + i + " passed");
        } catch (MalformedSstpException expected) {
          // header, type, lengths, attribute id or hash protocol: fails closed
        }
      }
    }
  }

  private static Failure verify(
      SstpCryptoBindingCheck check, byte[] packet, int offered, byte[] nonce, byte[] hlak)
      throws Exception {
    SstpControlMessage m = SstpControlMessage.decode(packet);
    SstpAttribute a = m.attribute(SstpAttribute.CRYPTO_BINDING);
    if (a == null) {
      throw new MalformedSstpException("no crypto binding");
    }
    SstpCryptoBinding b = SstpCryptoBinding.decode(a);
    return check.check(b, packet, offered, nonce, hlak);
  }

  static byte[] callConnected(SstpHashProtocol p, byte[] certHash) {
    return SstpControlMessage.of(
            SstpMessageType.CALL_CONNECTED,
            SstpCryptoBinding.unsignedAttribute(p, NONCE, certHash))
        .encode();
  }

  /** A Call Connected as a client builds it: MAC computed over the message, then written in. */
  static byte[] signed(SstpHashProtocol p, byte[] certHash, byte[] hlak, byte[] nonce) {
    byte[] m =
        SstpControlMessage.of(
                SstpMessageType.CALL_CONNECTED,
                SstpCryptoBinding.unsignedAttribute(p, nonce, certHash))
            .encode();
    byte[] mac = SstpCryptoBindingCheck.compoundMac(p, hlak, m);
    System.arraycopy(mac, 0, m, SstpCryptoBinding.MAC_OFFSET_IN_CALL_CONNECTED, mac.length);
    return m;
  }
}
