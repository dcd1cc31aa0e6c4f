package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What clients route into the tunnel and how the gateway forwards it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Routing {
  @Size(max = 100)
  @JsonPropertyDescription(
      "IPv4 CIDRs pushed to clients as routes through the tunnel (custom route advertisement)."
          + " Empty: the cluster's pod and service networks are not guessed; list them here.")
  public List<@Pattern("^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$") String> routes =
      new ArrayList<>();

  @Default("false")
  @JsonPropertyDescription("Send all client traffic through the tunnel (redirect-gateway).")
  public Boolean forceTunnel;

  @Default("true")
  @JsonPropertyDescription("Masquerade client traffic to the gateway pod's address.")
  public Boolean nat;

  @Default("false")
  @JsonPropertyDescription("Let clients reach each other through the gateway.")
  public Boolean clientToClient;
}
