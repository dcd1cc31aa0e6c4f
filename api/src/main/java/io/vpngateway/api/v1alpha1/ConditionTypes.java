package io.vpngateway.api.v1alpha1;

/**
 * Condition types and reasons of both CRs. Each condition has exactly one owner in the operator;
 * {@code Ready} summarises the others.
 */
public final class ConditionTypes {
  private ConditionTypes() {}

  /** Summary: True when every other condition of the resource is True. */
  public static final String READY = "Ready";

  // VpnGateway
  /** CA, server certificate, CRL and tls-crypt keys exist and are valid. */
  public static final String CERTIFICATES_READY = "CertificatesReady";
  /** The config document was rendered from a valid spec and all referenced Secrets. */
  public static final String CONFIG_READY = "ConfigReady";
  /** The StatefulSet has the desired number of ready replicas. */
  public static final String DEPLOYED = "Deployed";
  /** The Service has an address clients can reach. */
  public static final String ENDPOINT_READY = "EndpointReady";
  /**
   * The RADIUS servers answered the gateway pods' last exchange with them (only with RADIUS
   * configured; informational, {@code Ready} does not depend on it).
   */
  public static final String RADIUS_REACHABLE = "RadiusReachable";
  /**
   * The OIDC issuer answered the gateway pods' last discovery or key-set request (only with OIDC
   * configured; informational, {@code Ready} does not depend on it).
   */
  public static final String OIDC_ISSUER_REACHABLE = "OidcIssuerReachable";

  // ClientCertificate
  /** A certificate is being issued or renewed. */
  public static final String ISSUING = "Issuing";
  /** The certificate is revoked and listed in the gateway's CRL. */
  public static final String REVOKED = "Revoked";

  // Reasons
  /** The spec is wrong in a way the schema cannot catch; the message names the field. */
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  /** A Secret the spec references does not exist or lacks the key. */
  public static final String REASON_SECRET_NOT_FOUND = "SecretNotFound";
  /** The gateway's CA Secret vanished after the CA was made; it is never silently replaced. */
  public static final String REASON_CA_LOST = "CaSecretLost";
  /** The referenced VpnGateway does not exist or has no CA yet. */
  public static final String REASON_GATEWAY_NOT_READY = "GatewayNotReady";
  public static final String REASON_ISSUED = "Issued";
  public static final String REASON_RENEWING = "Renewing";
  public static final String REASON_REVOKED = "Revoked";
  public static final String REASON_READY = "Ready";
  public static final String REASON_PROGRESSING = "Progressing";
  public static final String REASON_RECONCILE_ERROR = "ReconcileError";
  public static final String REASON_PENDING = "Pending";
  /** Every server (or the issuer) answered its last exchange on every pod that reported. */
  public static final String REASON_REACHABLE = "Reachable";
  /** Some RADIUS servers did not answer; others did (logins fail over to them). */
  public static final String REASON_SERVER_DOWN = "ServerDown";
  /** No RADIUS server answered: new RADIUS logins are refused. */
  public static final String REASON_ALL_SERVERS_DOWN = "AllServersDown";
  /** The OIDC issuer did not answer: new OIDC logins are refused. */
  public static final String REASON_ISSUER_UNREACHABLE = "IssuerUnreachable";
  /** No pod has talked to the server or issuer yet, or no pod answered the operator. */
  public static final String REASON_NOT_CHECKED = "NotChecked";
}
