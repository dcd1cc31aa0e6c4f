package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.vpngateway.api.v1alpha1.SecretKeyRef;

/**
 * An extra root CA whose client certificates are accepted: a PEM certificate in a Secret, and
 * whether the groups its certificates carry may select an address pool.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustedRoot extends SecretKeyRef {
  @Default("false")
  @JsonPropertyDescription(
      "Let the groups (subject OU values) of client certificates issued under this root select an"
          + " address pool. Off by default: only the built-in CA's certificates carry groups the"
          + " gateway trusts, and a client of this root gets the default pool, since whoever runs"
          + " this root decides what its certificates say. Turn on for a PKI you control.")
  public Boolean trustGroups;

  public TrustedRoot() {}

  public TrustedRoot(String name, String key, Boolean trustGroups) {
    super(name, key);
    this.trustGroups = trustGroups;
  }
}
