package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** One IKE proposal (RFC 7296 section 3.3). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IkePolicy {
  /** IKE encryption algorithms. */
  public enum Encryption {
    AES128,
    AES256,
    GCMAES128,
    GCMAES256
  }

  /** IKE integrity / PRF algorithms. */
  public enum Integrity {
    SHA256,
    SHA384
  }

  /** Diffie-Hellman groups. */
  public enum DhGroup {
    DHGroup14,
    DHGroup24,
    ECP256,
    ECP384,
    Curve25519
  }

  @Required
  @JsonPropertyDescription("Encryption: AES128, AES256, GCMAES128 or GCMAES256.")
  public Encryption encryption;

  @Required
  @JsonPropertyDescription("Integrity and PRF: SHA256 or SHA384.")
  public Integrity integrity;

  @Required
  @JsonPropertyDescription("Diffie-Hellman group.")
  public DhGroup dhGroup;

  public IkePolicy() {}

  public IkePolicy(Encryption encryption, Integrity integrity, DhGroup dhGroup) {
    this.encryption = encryption;
    this.integrity = integrity;
    this.dhGroup = dhGroup;
  }
}
