package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** RADIUS authentication (RFC 2865; EAP over RADIUS, RFC 3579, for IKEv2). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RadiusAuthentication {
  /** Which reply attribute names the client's group. */
  public enum GroupAttribute {
    Class,
    @JsonProperty("Filter-Id")
    FilterId
  }

  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("RADIUS servers, tried in priority order (lowest first).")
  public List<RadiusServer> servers = new ArrayList<>();

  @Default("5s")
  @Pattern("^([0-9]+(ms|s|m))+$")
  @JsonPropertyDescription("How long to wait for one server's answer (Go duration, e.g. 5s).")
  public String timeout;

  @Default("2")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription("Retransmissions per server before trying the next.")
  public Integer retries;

  @Default("Class")
  @JsonPropertyDescription("Access-Accept attribute carrying the client's group: Class or Filter-Id.")
  public GroupAttribute groupAttribute;
}
