package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The gateway's own certificate, shown to clients. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ServerCertificate {
  @Size(max = 20)
  @JsonPropertyDescription(
      "DNS names clients use to reach the gateway. Added to the SANs with the Service endpoint.")
  public List<String> dnsNames = new ArrayList<>();

  @JsonPropertyDescription(
      "Bring your own certificate: a kubernetes.io/tls Secret (tls.crt, tls.key), e.g. from"
          + " cert-manager. When set, the built-in CA does not issue the server certificate.")
  public String secretName;
}
