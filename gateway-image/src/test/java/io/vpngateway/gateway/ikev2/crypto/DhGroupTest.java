package io.vpngateway.gateway.ikev2.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every group agrees with itself and refuses the peer values RFC 6989 says to refuse. */
class DhGroupTest {
  @ParameterizedTest
  @EnumSource(DhGroup.class)
  void bothSidesComputeTheSameSecret(DhGroup group) throws Exception {
    KeyExchange a = group.newKeyExchange();
    KeyExchange b = group.newKeyExchange();
    assertEquals(group.publicValueLength(), a.publicValue().length);
    byte[] s1 = a.sharedSecret(b.publicValue());
    byte[] s2 = b.sharedSecret(a.publicValue());
    assertArrayEquals(s1, s2);
    int expected = group == DhGroup.ECP_256 ? 32 : group == DhGroup.ECP_384 ? 48
        : group == DhGroup.CURVE_25519 ? 32 : group.publicValueLength();
    assertEquals(expected, s1.length, "g^ir length");
  }

  @ParameterizedTest
  @EnumSource(DhGroup.class)
  void wrongLengthIsInvalidKe(DhGroup group) {
    KeyExchange a = group.newKeyExchange();
    byte[] shorter = Arrays.copyOf(a.publicValue(), group.publicValueLength() - 1);
    InvalidKePayloadException e =
        assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(shorter));
    assertEquals(group.number(), e.wantedGroup());
  }

  @ParameterizedTest
  @EnumSource(value = DhGroup.class, names = {"MODP_1024", "MODP_2048", "MODP_2048_256"})
  void trivialModpValuesAreRefused(DhGroup group) {
    KeyExchange a = group.newKeyExchange();
    int n = group.publicValueLength();
    byte[] zero = new byte[n];
    byte[] one = new byte[n];
    one[n - 1] = 1;
    byte[] ones = new byte[n];
    Arrays.fill(ones, (byte) 0xff);
    for (byte[] bad : new byte[][] {zero, one, ones}) {
      assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(bad));
    }
  }

  @ParameterizedTest
  @EnumSource(value = DhGroup.class, names = {"ECP_256", "ECP_384"})
  void pointsOffTheCurveAreRefused(DhGroup group) {
    KeyExchange a = group.newKeyExchange();
    byte[] pub = group.newKeyExchange().publicValue();
    pub[pub.length - 1] ^= 1; // y off by one: not on the curve
    assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(pub));
  }

  @org.junit.jupiter.api.Test
  void smallOrderCurve25519PointIsRefused() {
    KeyExchange a = DhGroup.CURVE_25519.newKeyExchange();
    // u = 0 and u = 1 have small order: the shared secret would be all zero (RFC 7748 §6.1)
    assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(new byte[32]));
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(one));
  }

  @org.junit.jupiter.api.Test
  void subgroupMembershipIsCheckedForGroup24() {
    KeyExchange a = DhGroup.MODP_2048_256.newKeyExchange();
    // 2 generates the whole group here, not the order-q subgroup
    byte[] two = DhGroup.fixedLength(BigInteger.TWO, 256);
    assertThrows(InvalidKePayloadException.class, () -> a.sharedSecret(two));
  }
}
