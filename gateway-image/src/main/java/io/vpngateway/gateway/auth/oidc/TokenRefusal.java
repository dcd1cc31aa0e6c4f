package io.vpngateway.gateway.auth.oidc;

/**
 * Why a token (or a web sign-in) was refused. {@link #reason()} is the CamelCase code that goes
 * into metrics labels and the client's {@code AUTH_FAILED,<reason>}; each check has its own, so a
 * user or an administrator can tell an expired token from a misconfigured audience.
 */
public enum TokenRefusal {
  /** Not a compact JWS, or a required claim ({@code sub}, {@code exp}) missing or mistyped. */
  MALFORMED("TokenMalformed"),
  /** {@code alg} is none, an HMAC (which would make the client secret a signing key) or unknown. */
  ALGORITHM_NOT_ALLOWED("TokenAlgorithmNotAllowed"),
  /** No key of the issuer's JWK set matches the token's {@code kid}, even after a refetch. */
  UNKNOWN_KEY("TokenKeyUnknown"),
  /** A matching key exists but the signature does not verify with it. */
  BAD_SIGNATURE("TokenSignatureInvalid"),
  /** {@code iss} is not the configured issuer. */
  WRONG_ISSUER("TokenIssuerMismatch"),
  /** {@code aud} does not contain the configured audience (or, for web sign-in, the client id). */
  WRONG_AUDIENCE("TokenAudienceMismatch"),
  /** {@code exp} has passed (beyond the allowed clock skew). */
  EXPIRED("TokenExpired"),
  /** {@code nbf} or {@code iat} lies in the future (beyond the allowed clock skew). */
  NOT_YET_VALID("TokenNotYetValid"),
  /** The groups claim names none of the allowed groups. */
  GROUP_NOT_ALLOWED("TokenGroupNotAllowed"),
  /** The ID token's {@code nonce} is not the one of this sign-in (a replayed token). */
  NONCE_MISMATCH("TokenNonceMismatch"),
  /** The issuer's discovery document, keys or token endpoint could not be reached. */
  ISSUER_UNREACHABLE("IssuerUnreachable");

  private final String reason;

  TokenRefusal(String reason) {
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
