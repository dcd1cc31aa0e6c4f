package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How clients authenticate. Any combination of methods may be enabled; each protocol uses the
 * methods that apply to it (OpenVPN: certificate, plus RADIUS or OIDC as username/password; IKEv2:
 * certificate, or EAP via RADIUS; SSTP: PPP authentication, MS-CHAPv2 or EAP via RADIUS, or,
 * without RADIUS, EAP-TLS with a client certificate checked by the gateway itself; IKEv2 EAP-TLS
 * likewise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Authentication {
  @JsonPropertyDescription(
      "Client certificates. On by default with a built-in CA that issues ClientCertificates.")
  public CertificateAuthentication certificate;

  @JsonPropertyDescription("RADIUS servers that check user names and passwords (or EAP).")
  public RadiusAuthentication radius;

  @JsonPropertyDescription(
      "OpenID Connect: an ID or access token as the OpenVPN password, or OpenVPN web SSO.")
  public OidcAuthentication oidc;

  @JsonPropertyDescription(
      "OpenVPN: require a valid client certificate AND a password (RADIUS or OIDC); either alone"
          + " is refused. Off (default): any enabled method alone admits, as in Azure. For"
          + " password-only gateways turn certificates off (certificate.builtInCa: false).")
  public Boolean requireCertificateAndPassword;
}
