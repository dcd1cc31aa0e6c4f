package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** The client's private key, as cert-manager's {@code CertificatePrivateKey}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.size) || (has(self.algorithm) && self.algorithm == 'RSA'"
            + " ? self.size in [2048, 3072, 4096] : self.size in [256, 384])",
    message = "size must be 2048, 3072 or 4096 for RSA, 256 or 384 for ECDSA")
public class PrivateKeySpec {
  /** Key algorithms. */
  public enum Algorithm {
    ECDSA,
    RSA
  }

  /** Whether renewal makes a new key. */
  public enum RotationPolicy {
    Always,
    Never
  }

  @Default("ECDSA")
  @JsonPropertyDescription("ECDSA (default) or RSA.")
  public Algorithm algorithm;

  @JsonPropertyDescription("Key size: 256 (default) or 384 for ECDSA; 2048 (default), 3072, 4096 for RSA.")
  public Integer size;

  @Default("Always")
  @JsonPropertyDescription("Always (default): a new key on each renewal. Never: reuse the key.")
  public RotationPolicy rotationPolicy;
}
