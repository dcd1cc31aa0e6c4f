package io.vpngateway.api.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

/** Key pair generation and checks. Keys are JDK key objects (SunEC / SunRsaSign). */
public final class KeyPairs {
  private KeyPairs() {}

  /** Generates a fresh key pair of the given spec. */
  public static KeyPair generate(KeySpec spec, SecureRandom random) {
    try {
      KeyPairGenerator generator;
      if (spec.algorithm() == KeyAlgorithm.ECDSA) {
        generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(spec.curveName()), random);
      } else {
        generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(
            new RSAKeyGenParameterSpec(spec.size(), RSAKeyGenParameterSpec.F4), random);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot generate a " + spec + " key", e);
    }
  }

  /**
   * Rebuilds the key pair of a private key: RSA from the CRT form's public exponent, EC by
   * computing Q = d·G. Needed to reuse a key read back from a Secret ({@code tls.key}).
   */
  public static KeyPair fromPrivateKey(PrivateKey privateKey) {
    try {
      PublicKey publicKey;
      if (privateKey instanceof RSAPrivateCrtKey rsa) {
        publicKey =
            KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      } else if (privateKey instanceof ECPrivateKey ec) {
        var bcParams = EC5Util.convertSpec(ec.getParams());
        var q = bcParams.getG().multiply(ec.getS()).normalize();
        ECPoint w =
            new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        publicKey =
            KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
      } else {
        throw new PkiException(
            "unsupported private key " + privateKey.getAlgorithm() + " (expected EC or RSA CRT)");
      }
      return new KeyPair(publicKey, privateKey);
    } catch (GeneralSecurityException e) {
      throw new PkiException(
          "cannot derive the public key of a " + privateKey.getAlgorithm() + " key", e);
    }
  }

  /** True when the private key signs what the public key verifies (they form one pair). */
  public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    KeyAlgorithm family;
    try {
      family = KeySpec.of(privateKey).algorithm();
      if (KeySpec.of(publicKey).algorithm() != family) {
        return false;
      }
    } catch (PkiException e) {
      return false;
    }
    try {
      String algorithm = family == KeyAlgorithm.ECDSA ? "SHA256withECDSA" : "SHA256withRSA";
      byte[] challenge = new BigInteger(128, new SecureRandom()).toByteArray();
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
