package io.vpngateway.api.pki;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Objects;

/**
 * Algorithm and size of a key pair: ECDSA 256 (P-256) or 384 (P-384), RSA 2048, 3072 or 4096. These
 * are the sizes every client this project targets (OpenVPN 2.6/OpenSSL 3, strongSwan, Windows,
 * Apple) accepts for certificate authentication.
 */
public record KeySpec(KeyAlgorithm algorithm, int size) {

  public static final KeySpec EC_P256 = new KeySpec(KeyAlgorithm.ECDSA, 256);
  public static final KeySpec EC_P384 = new KeySpec(KeyAlgorithm.ECDSA, 384);
  public static final KeySpec RSA_2048 = new KeySpec(KeyAlgorithm.RSA, 2048);
  public static final KeySpec RSA_3072 = new KeySpec(KeyAlgorithm.RSA, 3072);
  public static final KeySpec RSA_4096 = new KeySpec(KeyAlgorithm.RSA, 4096);

  public KeySpec {
    Objects.requireNonNull(algorithm, "algorithm");
    boolean supported =
        switch (algorithm) {
          case ECDSA -> size == 256 || size == 384;
          case RSA -> size == 2048 || size == 3072 || size == 4096;
        };
    if (!supported) {
      throw new PkiException(
          "unsupported key size "
              + size
              + " for "
              + algorithm
              + " (ECDSA: 256 or 384; RSA: 2048, 3072 or 4096)");
    }
  }

  /**
   * The spec for an algorithm with an optional size ({@code null} or 0 picks the default: P-256 for
   * ECDSA, 2048 for RSA), as a {@code privateKey} section of a CR gives it.
   */
  public static KeySpec of(KeyAlgorithm algorithm, Integer size) {
    Objects.requireNonNull(algorithm, "algorithm");
    if (size == null || size == 0) {
      return algorithm == KeyAlgorithm.ECDSA ? EC_P256 : RSA_2048;
    }
    return new KeySpec(algorithm, size);
  }

  /** The spec of an existing public or private key. */
  public static KeySpec of(Key key) {
    if (key instanceof ECKey ec) {
      return new KeySpec(KeyAlgorithm.ECDSA, ec.getParams().getOrder().bitLength());
    }
    if (key instanceof RSAKey rsa) {
      return new KeySpec(KeyAlgorithm.RSA, rsa.getModulus().bitLength());
    }
    throw new PkiException("unsupported key type " + key.getAlgorithm() + " (expected EC or RSA)");
  }

  /** The JCA signature algorithm a CA with a key of this spec signs with. */
  String signatureAlgorithm() {
    return switch (algorithm) {
      case ECDSA -> size == 384 ? "SHA384withECDSA" : "SHA256withECDSA";
      case RSA -> "SHA256withRSA";
    };
  }

  /** The SEC 2 curve name for ECDSA specs. */
  String curveName() {
    return size == 384 ? "secp384r1" : "secp256r1";
  }

  @Override
  public String toString() {
    return algorithm == KeyAlgorithm.ECDSA ? "ECDSA P-" + size : "RSA " + size;
  }
}
