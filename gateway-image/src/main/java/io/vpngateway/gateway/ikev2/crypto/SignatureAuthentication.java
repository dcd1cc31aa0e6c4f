package io.vpngateway.gateway.ikev2.crypto;

import io.vpngateway.gateway.auth.RefusalReason;
import io.vpngateway.gateway.ikev2.exception.AuthenticationFailedException;
import io.vpngateway.gateway.ikev2.message.AuthPayload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Authentication by signature in IKE_AUTH, RFC 7296 §2.15 with the methods of RFC 7296 §3.8 (RSA
 * with SHA-1, method 1), RFC 4754 (ECDSA, methods 9-11, signature {@code r | s}) and RFC 7427
 * (digital signature, method 14: {@code length | AlgorithmIdentifier | signature}).
 *
 * <p>The signed octets are {@code RealMessage | NonceOfThePeer | prf(SK_p, ID')} ({@link
 * #signedOctets}). We sign with method 14 whenever the peer announced a usable hash in
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4), with the curve's hash for ECDSA keys and SHA-256 for
 * RSA keys, and fall back to methods 1 and 9-11 for peers that did not. We verify all of them,
 * except SHA-1 inside method 14, which we never announce (RFC 8247 §2.4).
 */
public final class SignatureAuthentication {
  private SignatureAuthentication() {}

  public static final int HASH_SHA1 = 1;
  public static final int HASH_SHA2_256 = 2;
  public static final int HASH_SHA2_384 = 3;
  public static final int HASH_SHA2_512 = 4;

  /** What we put in our SIGNATURE_HASH_ALGORITHMS notification: SHA-2 256, 384, 512. */
  public static byte[] supportedHashesNotifyData() {
    return new byte[] {0, HASH_SHA2_256, 0, HASH_SHA2_384, 0, HASH_SHA2_512};
  }

  /** The hash algorithm numbers of a peer's SIGNATURE_HASH_ALGORITHMS notification. */
  public static Set<Integer> parseHashes(byte[] notifyData) {
    java.util.HashSet<Integer> set = new java.util.HashSet<>();
    for (int i = 0; i + 1 < notifyData.length; i += 2) {
      set.add(((notifyData[i] & 0xff) << 8) | (notifyData[i + 1] & 0xff));
    }
    return Set.copyOf(set);
  }

  /** {@code message | nonce | prf(skP, idBody)}, RFC 7296 §2.15. */
  public static byte[] signedOctets(
      byte[] realMessage, byte[] peerNonce, PrfAlgorithm prf, byte[] skP, byte[] idBody) {
    return IkeSaKeys.concat(realMessage, peerNonce, prf.prf(skP, idBody));
  }

  /**
   * Bouncy Castle verifies ECDSA about five times faster than the JDK (not registered globally;
   * used by instance). Verification handles public data only; our own signatures stay with the
   * JDK's constant-time implementation.
   */
  private static final java.security.Provider BC =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private static final String OID_SHA1_RSA = "1.2.840.113549.1.1.5";
  private static final String OID_SHA256_RSA = "1.2.840.113549.1.1.11";
  private static final String OID_SHA384_RSA = "1.2.840.113549.1.1.12";
  private static final String OID_SHA512_RSA = "1.2.840.113549.1.1.13";
  private static final String OID_RSASSA_PSS = "1.2.840.113549.1.1.10";
  private static final String OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
  private static final String OID_ECDSA_SHA384 = "1.2.840.10045.4.3.3";
  private static final String OID_ECDSA_SHA512 = "1.2.840.10045.4.3.4";

  /** DER AlgorithmIdentifiers exactly as RFC 7427 Appendix A lists them. */
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] algorithmIdentifier(String jca) {
    return HEX.parseHex(
        switch (jca) {
          case "SHA256withRSA" -> "300d06092a864886f70d01010b0500";
          case "SHA384withRSA" -> "300d06092a864886f70d01010c0500";
          case "SHA512withRSA" -> "300d06092a864886f70d01010d0500";
          case "SHA256withECDSA" -> "300a06082a8648ce3d040302";
          case "SHA384withECDSA" -> "300a06082a8648ce3d040303";
          case "SHA512withECDSA" -> "300a06082a8648ce3d040304";
          default -> throw new IllegalArgumentException(jca);
        });
  }

  /**
   * Signs {@code octets} with our key.
   *
   * @param peerHashes the peer's SIGNATURE_HASH_ALGORITHMS (empty when it sent none)
   */
  public static AuthPayload sign(PrivateKey key, byte[] octets, Set<Integer> peerHashes)
      throws GeneralSecurityException {
    int curveBits = key instanceof ECKey ec ? ec.getParams().getCurve().getField().getFieldSize() : 0;
    if (!(key instanceof RSAKey) && curveBits == 0) {
      throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm());
    }
    String jca = null;
    if (key instanceof RSAKey) {
      for (int h : new int[] {HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512}) {
        if (jca == null && peerHashes.contains(h)) {
          jca = "SHA" + hashBits(h) + "withRSA";
        }
      }
    } else {
      int h = curveBits <= 256 ? HASH_SHA2_256 : curveBits <= 384 ? HASH_SHA2_384 : HASH_SHA2_512;
      if (peerHashes.contains(h)) {
        jca = "SHA" + hashBits(h) + "withECDSA";
      }
    }
    if (jca != null) {
      byte[] ai = algorithmIdentifier(jca);
      byte[] sig = signWith(jca, key, octets);
      byte[] data = new byte[1 + ai.length + sig.length];
      data[0] = (byte) ai.length;
      System.arraycopy(ai, 0, data, 1, ai.length);
      System.arraycopy(sig, 0, data, 1 + ai.length, sig.length);
      return new AuthPayload(AuthPayload.DIGITAL_SIGNATURE, data);
    }
    if (key instanceof RSAKey) {
      return new AuthPayload(AuthPayload.RSA_SIGNATURE, signWith("SHA1withRSA", key, octets));
    }
    int method =
        curveBits <= 256
            ? AuthPayload.ECDSA_SHA256_P256
            : curveBits <= 384 ? AuthPayload.ECDSA_SHA384_P384 : AuthPayload.ECDSA_SHA512_P521;
    return new AuthPayload(method, signWith(p1363(method), key, octets));
  }

  private static int hashBits(int h) {
    return h == HASH_SHA2_256 ? 256 : h == HASH_SHA2_384 ? 384 : 512;
  }

  private static String p1363(int method) {
    return switch (method) {
      case AuthPayload.ECDSA_SHA256_P256 -> "SHA256withECDSAinP1363Format";
      case AuthPayload.ECDSA_SHA384_P384 -> "SHA384withECDSAinP1363Format";
      default -> "SHA512withECDSAinP1363Format";
    };
  }

  /** Bouncy Castle's name of the RFC 4754 method's plain {@code r | s} ECDSA. */
  private static String plainEcdsa(int method) {
    return switch (method) {
      case AuthPayload.ECDSA_SHA256_P256 -> "SHA256withPLAIN-ECDSA";
      case AuthPayload.ECDSA_SHA384_P384 -> "SHA384withPLAIN-ECDSA";
      default -> "SHA512withPLAIN-ECDSA";
    };
  }

  private static byte[] signWith(String jca, PrivateKey key, byte[] octets)
      throws GeneralSecurityException {
    Signature s = JcaInstances.signature(jca, null);
    JcaInstances.initSign(s, key);
    s.update(octets);
    return s.sign();
  }

  /**
   * Verifies the peer's AUTH payload over {@code octets} with the public key of its certificate.
   *
   * @throws AuthenticationFailedException when the method is unsupported, does not fit the key, or
   *     the signature does not verify
   */
  public static void verify(AuthPayload auth, PublicKey key, byte[] octets)
      throws AuthenticationFailedException {
    byte[] data = auth.data();
    try {
      Signature s;
      byte[] signature;
      switch (auth.method()) {
        case AuthPayload.RSA_SIGNATURE -> {
          requireRsa(key);
          s = JcaInstances.signature("SHA1withRSA", null);
          signature = data;
        }
        case AuthPayload.ECDSA_SHA256_P256,
            AuthPayload.ECDSA_SHA384_P384,
            AuthPayload.ECDSA_SHA512_P521 -> {
          int bits = key instanceof ECKey ec ? ec.getParams().getCurve().getField().getFieldSize()
              : 0;
          int expected =
              auth.method() == AuthPayload.ECDSA_SHA256_P256
                  ? 256
                  : auth.method() == AuthPayload.ECDSA_SHA384_P384 ? 384 : 521;
          if (bits != expected) {
            throw failed("AUTH method " + auth.method() + " does not match the certificate key");
          }
          s = JcaInstances.signature(plainEcdsa(auth.method()), BC);
          signature = data;
        }
        case AuthPayload.DIGITAL_SIGNATURE -> {
          if (data.length < 2 || (data[0] & 0xff) + 1 >= data.length) {
            throw failed("malformed digital signature AUTH data");
          }
          int aiLength = data[0] & 0xff;
          s = digitalSignature(Arrays.copyOfRange(data, 1, 1 + aiLength), key);
          signature = Arrays.copyOfRange(data, 1 + aiLength, data.length);
        }
        default -> throw failed("unsupported AUTH method " + auth.method());
      }
      JcaInstances.initVerify(s, s.getProvider() == BC ? bouncyCastleKey(key) : key);
      s.update(octets);
      if (!s.verify(signature)) {
        throw failed("AUTH signature does not verify");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw failed("AUTH signature check failed: " + e.getMessage());
    }
  }

  /** Client keys already in Bouncy Castle's form, by their X.509 (SubjectPublicKeyInfo) DER. */
  private static final Map<ByteBuffer, PublicKey> BC_KEYS = new ConcurrentHashMap<>();

  private static final int BC_KEYS_MAX = 1024;

  /**
   * {@code key} as Bouncy Castle's own EC key, remembered by its encoding. Given the JDK's key, BC's
   * {@code initVerify} converts the curve's parameters and makes a new public point at every call,
   * so the point's window table for the verification's double multiplication was computed again
   * for every handshake; a remembered key keeps its point and the table BC caches on it (the
   * peer's verify 156 -> 66 us, 179 -> 80 KB per call for a returning client, AuthStepsBenchmark in
   * gateway-image/BENCHMARKS.md). Public data only: the key is decoded from the same bytes (exact,
   * the point validated when decoded) and every signature is still verified. Bounded (~4 KB per
   * key with its table, 1 024 keys), cleared when full. Any other key, or one BC cannot decode, is
   * used as it is.
   */
  private static PublicKey bouncyCastleKey(PublicKey key) {
    if (!(key instanceof java.security.interfaces.ECPublicKey)
        || key instanceof org.bouncycastle.jce.interfaces.ECPublicKey) {
      return key;
    }
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      return key;
    }
    ByteBuffer id = ByteBuffer.wrap(encoded);
    PublicKey bc = BC_KEYS.get(id);
    if (bc != null) {
      return bc;
    }
    try {
      bc = KeyFactory.getInstance("EC", BC).generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return key;
    }
    if (BC_KEYS.size() >= BC_KEYS_MAX) {
      BC_KEYS.clear();
    }
    BC_KEYS.put(id, bc);
    return bc;
  }

  private static Signature digitalSignature(byte[] der, PublicKey key)
      throws GeneralSecurityException, AuthenticationFailedException {
    AlgorithmIdentifier ai;
    try {
      ai = AlgorithmIdentifier.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (IOException | IllegalArgumentException e) {
      throw failed("malformed AlgorithmIdentifier in the AUTH payload");
    }
    String oid = ai.getAlgorithm().getId();
    switch (oid) {
      case OID_SHA256_RSA, OID_SHA384_RSA, OID_SHA512_RSA -> {
        requireRsa(key);
        return JcaInstances.signature(
            oid.equals(OID_SHA256_RSA)
                ? "SHA256withRSA"
                : oid.equals(OID_SHA384_RSA) ? "SHA384withRSA" : "SHA512withRSA",
            null);
      }
      case OID_RSASSA_PSS -> {
        requireRsa(key);
        ASN1Encodable params = ai.getParameters();
        if (params == null) {
          throw failed("RSASSA-PSS without parameters");
        }
        AlgorithmParameters ap = AlgorithmParameters.getInstance("RSASSA-PSS");
        try {
          ap.init(params.toASN1Primitive().getEncoded());
        } catch (IOException e) {
          throw failed("malformed RSASSA-PSS parameters");
        }
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(ap.getParameterSpec(java.security.spec.PSSParameterSpec.class));
        return s;
      }
      case OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512 -> {
        if (!(key instanceof ECKey)) {
          throw failed("ECDSA signature with a non-EC certificate key");
        }
        return JcaInstances.signature(
            oid.equals(OID_ECDSA_SHA256)
                ? "SHA256withECDSA"
                : oid.equals(OID_ECDSA_SHA384) ? "SHA384withECDSA" : "SHA512withECDSA",
            BC);
      }
      case OID_SHA1_RSA -> throw failed("SHA-1 digital signatures are not accepted");
      default -> throw failed("unsupported signature algorithm " + oid);
    }
  }

  private static void requireRsa(PublicKey key) throws AuthenticationFailedException {
    if (!(key instanceof RSAKey)) {
      throw failed("RSA signature with a non-RSA certificate key");
    }
  }

  private static AuthenticationFailedException failed(String message) {
    return new AuthenticationFailedException(RefusalReason.INVALID_SIGNATURE, message);
  }
}
