package io.vpngateway.gateway.auth;

/**
 * Why a client was refused or a session ended, the same for every protocol and authentication
 * backend. {@link #code()} is the CamelCase string used everywhere a reason is shown: the {@code
 * reason} label of {@code vpngw_handshakes_total}, the refusal log line, {@code GET /refusals} of
 * the management API, and what the protocol tells its client where it can (OpenVPN {@code
 * AUTH_FAILED,<code>}, IKEv2 and SSTP map it onto their own notify or status codes).
 *
 * <p>A new backend or protocol reuses the closest existing reason; a new constant is added only for
 * a cause an administrator would act on differently. Codes are part of the observable interface
 * (dashboards, alerts, the interop tests match them): never rename one.
 */
public enum RefusalReason {
  // ---- certificate (PkixCertificateAuthenticator)
  /** The client sent no certificate where one is required. */
  NO_CLIENT_CERTIFICATE("NoClientCertificate"),
  /** Revoked by the CRL or by thumbprint. */
  CERTIFICATE_REVOKED("CertificateRevoked"),
  CERTIFICATE_EXPIRED("CertificateExpired"),
  CERTIFICATE_NOT_YET_VALID("CertificateNotYetValid"),
  MISSING_CLIENT_AUTH_EKU("MissingClientAuthEku"),
  KEY_USAGE_NOT_ALLOWED("KeyUsageNotAllowed"),
  INVALID_CERTIFICATE("InvalidCertificate"),
  INVALID_CERTIFICATE_CHAIN("InvalidCertificateChain"),
  /** The chain leads to none of the gateway's CA and trusted roots. */
  UNTRUSTED_ISSUER("UntrustedIssuer"),
  INVALID_SIGNATURE("InvalidSignature"),
  WEAK_ALGORITHM("WeakAlgorithm"),
  MISSING_COMMON_NAME("MissingCommonName"),
  /** A live certificate session whose chain cannot be re-checked (fails closed). */
  CERTIFICATE_CHAIN_UNKNOWN("CertificateChainUnknown"),

  // ---- password, token, EAP (RADIUS, OIDC, our auth tokens)
  /** Wrong user name or password (RADIUS Access-Reject, a failed challenge). */
  BAD_CREDENTIALS("BadCredentials"),
  /** The gateway requires a credential (password, EAP) the client did not offer. */
  CREDENTIALS_MISSING("CredentialsMissing"),
  /** The client's protocol or client cannot do what the gateway requires (e.g. web auth). */
  AUTH_METHOD_NOT_SUPPORTED("AuthMethodNotSupported"),
  /** An OIDC token past its expiry. */
  TOKEN_EXPIRED("TokenExpired"),
  /** An OIDC token that is not a signed JWT, uses a refused algorithm, or replays a nonce. */
  TOKEN_INVALID("TokenInvalid"),
  /** An OIDC token whose nbf or iat lies in the future (beyond the allowed clock skew). */
  TOKEN_NOT_YET_VALID("TokenNotYetValid"),
  /** An OIDC token whose signature does not verify with the issuer's key it names. */
  TOKEN_SIGNATURE_INVALID("TokenSignatureInvalid"),
  /** An OIDC token signed with a key the issuer does not publish (even after a refetch). */
  TOKEN_KEY_UNKNOWN("TokenKeyUnknown"),
  /** An OIDC token from another issuer than the configured one. */
  TOKEN_ISSUER_MISMATCH("TokenIssuerMismatch"),
  /** An OIDC token for another audience (a token meant for another application). */
  TOKEN_AUDIENCE_MISMATCH("TokenAudienceMismatch"),
  /** One of our auth tokens (reconnect without the password) that is forged or not the client's. */
  AUTH_TOKEN_INVALID("AuthTokenInvalid"),
  /** One of our auth tokens past its lifetime: the client must authenticate in full again. */
  AUTH_TOKEN_EXPIRED("AuthTokenExpired"),
  /** Authenticated, but none of the client's groups is allowed (OIDC allowedGroups). */
  GROUP_NOT_ALLOWED("GroupNotAllowed"),
  /** The client did not complete a challenge or pending (web) authentication in time. */
  AUTH_TIMEOUT("AuthTimeout"),
  /** No authentication server answered (every RADIUS server timed out, the IdP unreachable). */
  AUTH_SERVER_UNAVAILABLE("AuthServerUnavailable"),
  /** The EAP conversation ended in EAP-Failure. */
  EAP_FAILURE("EapFailure"),

  // ---- admission (the gateway, after authentication)
  /** This replica's share of the gateway-wide maxConnections is in use. */
  MAX_CONNECTIONS_REACHED("MaxConnectionsReached"),
  /** The pool the client's groups select has no free address on this replica. */
  ADDRESS_POOL_EXHAUSTED("AddressPoolExhausted"),
  ADDRESS_IN_USE("AddressInUse"),
  /** The client offered no data cipher / proposal the gateway's crypto policy allows. */
  NO_COMMON_CIPHER("NoCommonCipher"),
  /**
   * SSTP: the Call Connected's crypto binding does not match (nonce, server certificate hash or
   * Compound MAC): a man in the middle, or a client whose PPP authentication keys differ.
   */
  CRYPTO_BINDING_FAILED("CryptoBindingFailed"),
  /** The client went away (closed, aborted, stopped answering) before it was connected. */
  CLIENT_DISCONNECTED("ClientDisconnected"),
  /** A re-authentication (renegotiation) presented another name or other groups. */
  IDENTITY_CHANGED("IdentityChanged"),
  /** A bug or an unexpected failure on our side; the log has the details. */
  INTERNAL_ERROR("InternalError");

  private final String code;

  RefusalReason(String code) {
    this.code = code;
  }

  /** The CamelCase code shown in metrics labels, logs, the management API and to clients. */
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return code;
  }
}
