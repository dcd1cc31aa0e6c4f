package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.vpngateway.api.v1alpha1.spec.GatewayRef;
import io.vpngateway.api.v1alpha1.spec.PrivateKeySpec;
import io.vpngateway.api.v1alpha1.spec.SecretTemplate;
import java.util.ArrayList;
import java.util.List;

/** A client certificate issued by a gateway's built-in CA (modelled on cert-manager's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.secretName == oldSelf.secretName",
    message = "secretName is immutable")
@ValidationRule(
    value = "self.gatewayRef.name == oldSelf.gatewayRef.name",
    message = "gatewayRef is immutable")
public class ClientCertificateSpec {
  /** Go-style duration: hours, minutes, seconds, e.g. 8760h or 720h30m. */
  public static final String DURATION_PATTERN = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

  @Required
  @JsonPropertyDescription("The VpnGateway whose CA issues this certificate.")
  public GatewayRef gatewayRef;

  @Required
  @Size(min = 1, max = 64)
  @Pattern("^[^,+=\"\\\\<>;#]+$")
  @JsonPropertyDescription("Common name: the client's identity on every protocol.")
  public String commonName;

  @Size(max = 16)
  @JsonPropertyDescription("Groups (encoded in the certificate) that select the address pool.")
  public List<String> groups = new ArrayList<>();

  @Default("8760h")
  @Pattern(DURATION_PATTERN)
  @JsonPropertyDescription("Validity, e.g. 8760h (default, one year).")
  public String duration;

  @Default("720h")
  @Pattern(DURATION_PATTERN)
  @JsonPropertyDescription("Renew this long before expiry. Default 720h (30 days).")
  public String renewBefore;

  @JsonPropertyDescription("Private key algorithm, size and rotation.")
  public PrivateKeySpec privateKey;

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Secret to write: tls.crt, tls.key, ca.crt, client.p12 with its password, and client"
          + " profiles.")
  public String secretName;

  @JsonPropertyDescription("Labels and annotations for the output Secret.")
  public SecretTemplate secretTemplate;

  @Default("false")
  @JsonPropertyDescription(
      "Revoke: the gateway's CRL lists it and live sessions using it end within seconds.")
  public Boolean revoked;
}
