package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** OpenID Connect authentication (OpenID Connect Core 1.0). Applies to OpenVPN only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcAuthentication {
  @Required
  @Pattern("^https://.+")
  @JsonPropertyDescription("Issuer URL; its discovery document and JWKS are fetched from it.")
  public String issuerUrl;

  @Required
  @JsonPropertyDescription("Required 'aud' of presented tokens.")
  public String audience;

  @JsonPropertyDescription("OAuth client id used for web SSO (auth-pending / OPEN_URL).")
  public String clientId;

  @Default("groups")
  @JsonPropertyDescription("Token claim holding the user's groups.")
  public String groupsClaim;

  @JsonPropertyDescription("If set, only users in one of these groups may connect.")
  public List<String> allowedGroups = new ArrayList<>();
}
