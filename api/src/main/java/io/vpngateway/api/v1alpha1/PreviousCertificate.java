package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * An earlier certificate of a ClientCertificate that may still be in use: its serial (so it can be
 * put on the CRL later) and its expiry (after which it no longer needs tracking). No key material.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreviousCertificate {
  @JsonPropertyDescription("Serial number, hex.")
  public String serialNumber;

  @JsonPropertyDescription("End of validity, RFC 3339.")
  public String notAfter;

  public PreviousCertificate() {}

  public PreviousCertificate(String serialNumber, String notAfter) {
    this.serialNumber = serialNumber;
    this.notAfter = notAfter;
  }
}
