package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Certificate authentication settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CertificateAuthentication {
  @Default("true")
  @JsonPropertyDescription(
      "Run the built-in CA that issues ClientCertificates for this gateway. The CA is made once and"
          + " kept in a Secret; a lost CA Secret is reported, never silently replaced.")
  public Boolean builtInCa;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Up to 20 extra root CAs whose client certificates are accepted (e.g. an enterprise PKI or a"
          + " cert-manager CA). Each references a PEM certificate in a Secret (key default ca.crt);"
          + " trustGroups lets its certificates' groups select an address pool.")
  public List<TrustedRoot> trustedRoots = new ArrayList<>();

  @Size(max = 1000)
  @JsonPropertyDescription(
      "Externally issued client certificates to refuse, by thumbprint (as Azure lists them).")
  public List<RevokedThumbprint> revokedThumbprints = new ArrayList<>();
}
