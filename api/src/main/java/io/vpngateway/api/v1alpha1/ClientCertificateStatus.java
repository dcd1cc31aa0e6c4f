package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a ClientCertificate. Never holds key material. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClientCertificateStatus {
  @JsonPropertyDescription("The metadata.generation the status was computed from.")
  public Long observedGeneration;

  @JsonPropertyDescription("Ready, Issuing, Revoked.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Serial number, hex.")
  public String serialNumber;

  @JsonPropertyDescription("SHA-1 thumbprint, uppercase hex (as Azure shows it).")
  public String thumbprint;

  @JsonPropertyDescription("SHA-256 fingerprint, lowercase hex.")
  public String sha256;

  @JsonPropertyDescription("Start of validity, RFC 3339.")
  public String notBefore;

  @JsonPropertyDescription("End of validity, RFC 3339.")
  public String notAfter;

  @JsonPropertyDescription("When the operator renews the certificate, RFC 3339.")
  public String renewalTime;

  @JsonPropertyDescription("When the certificate was revoked, RFC 3339.")
  public String revocationTime;

  @JsonPropertyDescription(
      "Earlier certificates issued for this ClientCertificate that are unexpired and not on the"
          + " CRL (a renewal keeps the previous one valid until it expires). They are revoked"
          + " together with the current one when revoked is set or the ClientCertificate is"
          + " deleted.")
  public List<PreviousCertificate> previousCertificates = new ArrayList<>();
}
