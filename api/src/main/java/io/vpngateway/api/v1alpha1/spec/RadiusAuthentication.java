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

  /** How an OpenVPN password reaches the RADIUS server. */
  public enum PasswordProtocol {
    PAP,
    MSCHAPv2
  }

  /** A vendor-specific reply attribute (type 26) naming the client's groups. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class VendorAttribute {
    @Required
    @Min(1)
    @JsonPropertyDescription("IANA private enterprise number of the vendor (e.g. 311 Microsoft).")
    public Integer vendorId;

    @Required
    @Min(1)
    @Max(255)
    @JsonPropertyDescription("The vendor's attribute type.")
    public Integer type;
  }

  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("RADIUS servers, tried in priority order (lowest first).")
  public List<RadiusServer> servers = new ArrayList<>();

  @Default("30s")
  @Pattern("^([0-9]+(ms|s|m))+$")
  @JsonPropertyDescription(
      "How long to wait for one server's answer (Go duration); 30s as Azure, longer for MFA push.")
  public String timeout;

  @Default("2")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription("Retransmissions per server before trying the next.")
  public Integer retries;

  @Default("Class")
  @JsonPropertyDescription("Access-Accept attribute carrying the client's group: Class or Filter-Id.")
  public GroupAttribute groupAttribute;

  @JsonPropertyDescription(
      "A vendor-specific attribute carrying the client's groups instead of groupAttribute.")
  public VendorAttribute groupVendorAttribute;

  @Default("PAP")
  @JsonPropertyDescription(
      "How an OpenVPN password is sent: PAP (User-Password) or MSCHAPv2 (computed by the gateway,"
          + " the server's proof checked). IKEv2 and SSTP relay EAP / MS-CHAPv2 as the client does.")
  public PasswordProtocol passwordProtocol;

  @Pattern("^([0-9]+(ms|s|m|h))+$")
  @JsonPropertyDescription(
      "Send accounting Interim-Update records with the byte counts of every RADIUS-authenticated"
          + " session this often (Go duration, at least 5s; RFC 2869 advises 60s or more). An"
          + " Access-Accept's Acct-Interim-Interval overrides it for its session (at least 60s)."
          + " Unset: only when the Access-Accept asks for it.")
  public String accountingInterimInterval;

  @Default("false")
  @JsonPropertyDescription(
      "Drop Access-Accept/Reject/Challenge replies without a Message-Authenticator (BlastRADIUS"
          + " hardening; EAP replies always need one).")
  public Boolean requireMessageAuthenticator;
}
