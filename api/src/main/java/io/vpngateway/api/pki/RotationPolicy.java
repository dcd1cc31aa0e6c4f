package io.vpngateway.api.pki;

/** What happens to a client's private key when its certificate is renewed (as cert-manager). */
public enum RotationPolicy {
  /** A new key pair for every issuance: a leaked old key stops working at the old notAfter. */
  ALWAYS,
  /** Keep the existing key (e.g. a hardware-bound or already deployed one) and re-certify it. */
  NEVER
}
