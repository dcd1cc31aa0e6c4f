package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.vpngateway.api.v1alpha1.SecretKeyRef;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenID Connect authentication (OpenID Connect Core 1.0). Applies to OpenVPN only: a token as the
 * password, or web sign-in (openvpn 2.6 {@code IV_SSO webauth}: the client opens a link, the user
 * signs in at the issuer, the gateway runs the authorization-code flow with PKCE).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcAuthentication {
  @Required
  @Pattern("^https://.+")
  @JsonPropertyDescription("Issuer URL; its discovery document and JWKS are fetched from it.")
  public String issuerUrl;

  @Required
  @JsonPropertyDescription(
      "Required 'aud' of tokens presented as the OpenVPN password (web sign-in checks the ID"
          + " token's 'aud' against clientId instead).")
  public String audience;

  @JsonPropertyDescription(
      "OAuth client id of the gateway's web sign-in. Without it only tokens given as the"
          + " password are accepted.")
  public String clientId;

  @JsonPropertyDescription(
      "Secret with the client secret of a confidential client (key 'clientSecret' unless"
          + " named). Without it the gateway signs in as a public client protected by PKCE.")
  public SecretKeyRef clientSecretRef;

  @JsonPropertyDescription(
      "Secret with the CA certificate (PEM, key 'ca.crt' unless named) that the issuer's HTTPS"
          + " certificate chains to, for a private identity provider. Default: public roots.")
  public SecretKeyRef issuerCaRef;

  @Default("groups")
  @JsonPropertyDescription(
      "Token claim holding the user's groups; a dotted path reaches into objects"
          + " (realm_access.roles).")
  public String groupsClaim;

  @JsonPropertyDescription("If set, only users in one of these groups may connect.")
  public List<String> allowedGroups = new ArrayList<>();

  @JsonPropertyDescription(
      "Scopes asked for at web sign-in; 'openid' is always included. Default: openid profile"
          + " email.")
  public List<String> scopes;

  @Pattern("^https://[^/]+(/.*)?/callback$")
  @JsonPropertyDescription(
      "Web sign-in callback as users' browsers reach it; register it at the identity provider"
          + " as the client's redirect URI. Must end with /callback. Default:"
          + " https://<first serverCertificate DNS name or endpoint>:<callbackPort>/oidc/callback.")
  public String redirectUrl;

  @Default("8443")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the gateway's HTTPS web sign-in endpoint.")
  public Integer callbackPort;

  @Default("5m")
  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @JsonPropertyDescription(
      "How long a connecting client waits for its user to finish web sign-in (Go duration).")
  public String signInTimeout;

  @Default("60s")
  @Pattern("^([0-9]+(ms|s|m))+$")
  @JsonPropertyDescription(
      "Clock difference tolerated on a token's exp, nbf and iat; at most 5m (Go duration).")
  public String clockSkew;
}
