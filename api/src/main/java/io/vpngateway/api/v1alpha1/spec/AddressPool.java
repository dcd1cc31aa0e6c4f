package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** An IPv4 range clients get their inner address from. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class AddressPool {
  /** IPv4 CIDR with prefix 8..28. */
  public static final String CIDR_PATTERN =
      "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/(8|9|1[0-9]|2[0-8])$";

  @Required
  @Pattern(CIDR_PATTERN)
  @JsonPropertyDescription(
      "IPv4 range in CIDR notation (prefix /8 to /28). Split disjointly across replicas and"
          + " protocols; must not overlap any other pool.")
  public String cidr;

  @JsonPropertyDescription(
      "Groups whose members get addresses from this pool (certificate OU, RADIUS Class/Filter-Id,"
          + " or OIDC groups claim). The pool without groups is the default pool.")
  public List<String> groups = new ArrayList<>();

  @Min(0)
  @Max(1000)
  @JsonPropertyDescription(
      "When a client is in the groups of several pools, the highest priority wins. Default 0.")
  public Integer priority;

  public AddressPool() {}

  public AddressPool(String cidr, List<String> groups, Integer priority) {
    this.cidr = cidr;
    this.groups = groups;
    this.priority = priority;
  }
}
