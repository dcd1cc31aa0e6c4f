package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.vpngateway.api.v1alpha1.SecretKeyRef;

/** One RADIUS server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RadiusServer {
  @Required
  @JsonPropertyDescription("Host name or IP address of the server.")
  public String address;

  @Default("1812")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Authentication port.")
  public Integer port;

  @Required
  @JsonPropertyDescription("The shared secret, in a Secret (key default 'secret').")
  public SecretKeyRef secretRef;

  @Default("0")
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Lower is tried first.")
  public Integer priority;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Accounting port (default: port + 1, i.e. 1813).")
  public Integer accountingPort;

  @Pattern("^([0-9]+(ms|s|m))+$")
  @JsonPropertyDescription("This server's answer timeout, overriding the section's (e.g. 60s).")
  public String timeout;
}
