package io.vpngateway.api.pki;

/**
 * A certificate, key, CRL or request that cannot be used, or a cryptographic operation that failed.
 * The message names the offending input so an operator condition or a CLI error can show it as is;
 * it never contains key material.
 */
public class PkiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
