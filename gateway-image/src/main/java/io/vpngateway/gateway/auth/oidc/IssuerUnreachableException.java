package io.vpngateway.gateway.auth.oidc;

import java.io.IOException;

/**
 * The issuer (its discovery document, key set or token endpoint) could not be reached or answered
 * something unusable. The message names the address and what went wrong, never a secret.
 */
public final class IssuerUnreachableException extends IOException {
  public IssuerUnreachableException(String message) {
    super(message);
  }

  public IssuerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
