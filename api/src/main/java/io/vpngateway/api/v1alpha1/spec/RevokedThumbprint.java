package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A certificate refused by its thumbprint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RevokedThumbprint {
  /** SHA-1 (40 hex digits, as Azure shows) or SHA-256 (64 hex digits); colons allowed. */
  public static final String THUMBPRINT_PATTERN =
      "^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}|([0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}|([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$";

  @Required
  @JsonPropertyDescription("A label for the entry, e.g. the user or device.")
  public String name;

  @Required
  @Pattern(THUMBPRINT_PATTERN)
  @JsonPropertyDescription("SHA-1 or SHA-256 thumbprint of the certificate, hex, colons optional.")
  public String thumbprint;

  public RevokedThumbprint() {}

  public RevokedThumbprint(String name, String thumbprint) {
    this.name = name;
    this.thumbprint = thumbprint;
  }
}
