package io.vpngateway.api.pki;

/** Public-key algorithm of a CA, server or client key. */
public enum KeyAlgorithm {
  /** ECDSA on a NIST prime curve (P-256 or P-384), FIPS 186-4. */
  ECDSA,
  /** RSA with a 2048, 3072 or 4096-bit modulus, RFC 8017. */
  RSA
}
