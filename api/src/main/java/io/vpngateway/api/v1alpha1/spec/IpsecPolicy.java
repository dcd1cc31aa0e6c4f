package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** One ESP proposal (RFC 4303, RFC 7296 section 3.3). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IpsecPolicy {
  /** ESP encryption algorithms. */
  public enum Encryption {
    AES128,
    AES256,
    GCMAES128,
    GCMAES256
  }

  /** ESP integrity (none for AEAD ciphers). */
  public enum Integrity {
    None,
    SHA256
  }

  /** Perfect forward secrecy group for rekeys. */
  public enum PfsGroup {
    None,
    PFS14,
    PFS24,
    ECP256,
    ECP384
  }

  @Required
  @JsonPropertyDescription("Encryption: AES128, AES256, GCMAES128 or GCMAES256.")
  public Encryption encryption;

  @Required
  @JsonPropertyDescription("Integrity: SHA256, or None with a GCM cipher.")
  public Integrity integrity;

  @JsonPropertyDescription("PFS group for child SA rekeys. Default None.")
  public PfsGroup pfsGroup;

  public IpsecPolicy() {}

  public IpsecPolicy(Encryption encryption, Integrity integrity, PfsGroup pfsGroup) {
    this.encryption = encryption;
    this.integrity = integrity;
    this.pfsGroup = pfsGroup;
  }
}
