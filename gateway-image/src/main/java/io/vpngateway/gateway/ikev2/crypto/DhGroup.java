package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.ikev2.exception.InvalidKePayloadException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.util.BigIntegers;

/**
 * The Diffie-Hellman groups (transform type 4) this gateway implements:
 *
 * <ul>
 *   <li>2, 1024-bit MODP (RFC 2409 §6.2) and 14, 2048-bit MODP (RFC 3526 §3): public values and
 *       {@code g^ir} as big-endian integers padded to the prime's length (RFC 7296 §3.4, §2.14);
 *   <li>24, 2048-bit MODP with a 256-bit prime-order subgroup (RFC 5114 §2.3), whose peer values
 *       are checked to lie in the subgroup (RFC 6989 §2.2);
 *   <li>19 and 20, the NIST curves P-256 and P-384 (RFC 5903): public value {@code x | y}, shared
 *       secret the x coordinate; peer points are checked to lie on the curve (RFC 6989 §2.3);
 *   <li>31, Curve25519 (RFC 8031): 32-octet little-endian u-coordinates; an all-zero shared secret
 *       is refused (RFC 8031 §2).
 * </ul>
 *
 * <p>The curves use Bouncy Castle's arithmetic (a dependency already, for the PKI), measured at
 * about half the JDK's cost per exchange (P-384: a fraction); MODP groups use {@link
 * BigInteger#modPow}.
 */
public enum DhGroup {
  MODP_1024(2, 128),
  MODP_2048(14, 256),
  MODP_2048_256(24, 256),
  ECP_256(19, 64),
  ECP_384(20, 96),
  CURVE_25519(31, 32);

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final BigInteger P1024 =
      hex(
          "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF");
  private static final BigInteger P2048 =
      hex(
          "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF");
  private static final BigInteger P2048_256 =
      hex(
          "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597");
  private static final BigInteger G2048_256 =
      hex(
          "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659");
  private static final BigInteger Q2048_256 =
      hex("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3");
  private static final BigInteger TWO = BigInteger.TWO;

  private final int number;
  private final int publicValueLength;

  DhGroup(int number, int publicValueLength) {
    this.number = number;
    this.publicValueLength = publicValueLength;
  }

  public static Optional<DhGroup> byNumber(int number) {
    for (DhGroup g : values()) {
      if (g.number == number) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** The IANA transform ID. */
  public int number() {
    return number;
  }

  /** Octets of the public value in a KE payload. */
  public int publicValueLength() {
    return publicValueLength;
  }

  /** A fresh key pair for one exchange. */
  public KeyExchange newKeyExchange() {
    return switch (this) {
      case MODP_1024 -> new Modp(this, P1024, TWO, null);
      case MODP_2048 -> new Modp(this, P2048, TWO, null);
      case MODP_2048_256 -> new Modp(this, P2048_256, G2048_256, Q2048_256);
      case ECP_256 -> new Ecp(this, "secp256r1", 32);
      case ECP_384 -> new Ecp(this, "secp384r1", 48);
      case CURVE_25519 -> new Curve25519(this);
    };
  }

  private static BigInteger hex(String s) {
    return new BigInteger(1, HexFormat.of().parseHex(s));
  }

  /** Big-endian, left-padded with zeros to {@code length} octets. */
  static byte[] fixedLength(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    if (raw.length == length) {
      return raw;
    }
    byte[] out = new byte[length];
    if (raw.length > length) {
      // a leading sign octet
      System.arraycopy(raw, raw.length - length, out, 0, length);
    } else {
      System.arraycopy(raw, 0, out, length - raw.length, raw.length);
    }
    return out;
  }

  private InvalidKePayloadException invalid(String why) {
    return new InvalidKePayloadException(number, "invalid " + this + " public value: " + why);
  }

  /** MODP groups with {@link BigInteger#modPow}: two exponentiations per handshake. */
  private static final class Modp implements KeyExchange {
    private final DhGroup group;
    private final BigInteger p;
    private final BigInteger q;
    private final BigInteger x;
    private final byte[] publicValue;

    Modp(DhGroup group, BigInteger p, BigInteger g, BigInteger q) {
      this.group = group;
      this.p = p;
      this.q = q;
      // 256-bit exponents: at least twice the groups' security strength (RFC 3526 §8, NIST
      // SP 800-57), and in [1, q-1] for the subgroup group
      BigInteger e;
      do {
        e = new BigInteger(256, RANDOM);
        if (q != null) {
          e = e.mod(q);
        }
      } while (e.signum() == 0);
      this.x = e;
      this.publicValue = fixedLength(g.modPow(x, p), group.publicValueLength);
    }

    @Override
    public DhGroup group() {
      return group;
    }

    @Override
    public byte[] publicValue() {
      return publicValue.clone();
    }

    @Override
    public byte[] sharedSecret(byte[] peer) throws InvalidKePayloadException {
      if (peer.length != group.publicValueLength) {
        throw group.invalid(peer.length + " octets");
      }
      BigInteger y = new BigInteger(1, peer);
      // 1 < y < p-1 excludes the trivial elements (RFC 6989 §2.1)
      if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
        throw group.invalid("out of range");
      }
      if (q != null && !y.modPow(q, p).equals(BigInteger.ONE)) {
        throw group.invalid("not in the prime-order subgroup");
      }
      return fixedLength(y.modPow(x, p), group.publicValueLength);
    }
  }

  /**
   * NIST prime curves with Bouncy Castle's curve arithmetic (specialised P-256/P-384 fields: about
   * twice as fast as the JDK's ECDH, whose public key validation costs a second multiplication,
   * and much faster for P-384). The peer's point is validated on the curve; with cofactor 1 that
   * also puts it in the prime-order group. Each private scalar serves one exchange only.
   */
  private static final class Ecp implements KeyExchange {
    private final DhGroup group;
    private final int fieldLength;
    private final X9ECParameters params;
    private final BigInteger d;
    private final byte[] publicValue;

    Ecp(DhGroup group, String curve, int fieldLength) {
      this.group = group;
      this.fieldLength = fieldLength;
      this.params = CustomNamedCurves.getByName(curve);
      BigInteger n = params.getN();
      this.d = BigIntegers.createRandomInRange(BigInteger.ONE, n.subtract(BigInteger.ONE), RANDOM);
      ECPoint q = new FixedPointCombMultiplier().multiply(params.getG(), d).normalize();
      publicValue = new byte[2 * fieldLength];
      System.arraycopy(
          fixedLength(q.getAffineXCoord().toBigInteger(), fieldLength), 0, publicValue, 0,
          fieldLength);
      System.arraycopy(
          fixedLength(q.getAffineYCoord().toBigInteger(), fieldLength), 0, publicValue,
          fieldLength, fieldLength);
    }

    @Override
    public DhGroup group() {
      return group;
    }

    @Override
    public byte[] publicValue() {
      return publicValue.clone();
    }

    @Override
    public byte[] sharedSecret(byte[] peer) throws InvalidKePayloadException {
      if (peer.length != 2 * fieldLength) {
        throw group.invalid(peer.length + " octets");
      }
      BigInteger x = new BigInteger(1, Arrays.copyOfRange(peer, 0, fieldLength));
      BigInteger y = new BigInteger(1, Arrays.copyOfRange(peer, fieldLength, peer.length));
      ECPoint p;
      try {
        p = params.getCurve().validatePoint(x, y);
      } catch (IllegalArgumentException e) {
        throw group.invalid("point not on the curve");
      }
      ECPoint shared = p.multiply(d).normalize();
      if (shared.isInfinity()) {
        throw group.invalid("the shared point is the point at infinity");
      }
      return fixedLength(shared.getAffineXCoord().toBigInteger(), fieldLength);
    }
  }

  /** Curve25519 (RFC 7748 §5, RFC 8031) with Bouncy Castle's constant-time X25519. */
  private static final class Curve25519 implements KeyExchange {
    private final DhGroup group;
    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicValue = new byte[X25519.POINT_SIZE];

    Curve25519(DhGroup group) {
      this.group = group;
      X25519.generatePrivateKey(RANDOM, privateKey);
      X25519.generatePublicKey(privateKey, 0, publicValue, 0);
    }

    @Override
    public DhGroup group() {
      return group;
    }

    @Override
    public byte[] publicValue() {
      return publicValue.clone();
    }

    @Override
    public byte[] sharedSecret(byte[] peer) throws InvalidKePayloadException {
      if (peer.length != X25519.POINT_SIZE) {
        throw group.invalid(peer.length + " octets");
      }
      byte[] secret = new byte[X25519.POINT_SIZE];
      // false for a small-order point: the all-zero result RFC 8031 §2 makes us refuse
      if (!X25519.calculateAgreement(privateKey, 0, peer, 0, secret, 0)) {
        throw group.invalid("all-zero shared secret");
      }
      return secret;
    }
  }
}
