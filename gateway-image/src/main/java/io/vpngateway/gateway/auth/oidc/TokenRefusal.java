package io.vpngateway.gateway.auth.oidc;

import io.vpngateway.gateway.auth.RefusalReason;

/**
 * Which check a token failed. {@link #reason()} is the gateway-wide refusal reason it is reported
 * as (metrics, logs, the client's {@code AUTH_FAILED,<code>}): the checks an administrator acts on
 * differently (expired, not yet valid, signature, unknown key, issuer, audience, groups, issuer
 * down) each have their own; malformed, refused algorithm and nonce share {@code TokenInvalid}.
 */
public enum TokenRefusal {
  /** Not a compact JWS, or a required claim ({@code sub}, {@code exp}) missing or mistyped. */
  MALFORMED(RefusalReason.TOKEN_INVALID),
  /** {@code alg} is none, an HMAC (which would make the client secret a signing key) or unknown. */
  ALGORITHM_NOT_ALLOWED(RefusalReason.TOKEN_INVALID),
  /** No key of the issuer's JWK set matches the token's {@code kid}, even after a refetch. */
  UNKNOWN_KEY(RefusalReason.TOKEN_KEY_UNKNOWN),
  /** A matching key exists but the signature does not verify with it. */
  BAD_SIGNATURE(RefusalReason.TOKEN_SIGNATURE_INVALID),
  /** {@code iss} is not the configured issuer. */
  WRONG_ISSUER(RefusalReason.TOKEN_ISSUER_MISMATCH),
  /** {@code aud} does not contain the configured audience (or, for web sign-in, the client id). */
  WRONG_AUDIENCE(RefusalReason.TOKEN_AUDIENCE_MISMATCH),
  /** {@code exp} has passed (beyond the allowed clock skew). */
  EXPIRED(RefusalReason.TOKEN_EXPIRED),
  /** {@code nbf} or {@code iat} lies in the future (beyond the allowed clock skew). */
  NOT_YET_VALID(RefusalReason.TOKEN_NOT_YET_VALID),
  /** The groups claim names none of the allowed groups. */
  GROUP_NOT_ALLOWED(RefusalReason.GROUP_NOT_ALLOWED),
  /** The ID token's {@code nonce} is not the one of this sign-in (a replayed token). */
  NONCE_MISMATCH(RefusalReason.TOKEN_INVALID),
  /** The issuer's discovery document, keys or token endpoint could not be reached. */
  ISSUER_UNREACHABLE(RefusalReason.AUTH_SERVER_UNAVAILABLE);

  private final RefusalReason reason;

  TokenRefusal(RefusalReason reason) {
    this.reason = reason;
  }

  public RefusalReason reason() {
    return reason;
  }
}
