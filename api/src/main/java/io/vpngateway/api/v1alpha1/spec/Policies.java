package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Crypto policy for IKE, IPsec and TLS. A versioned preset gives all three tables; explicit lists
 * replace the preset's table of the same kind. Presets never change meaning once released: a new
 * year's defaults get a new name.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Policies {
  /** Versioned crypto presets. The tables are in {@code io.vpngateway.api.policy.CryptoPresets}. */
  public enum Preset {
    @JsonProperty("azure-2026")
    Azure2026,
    @JsonProperty("strict")
    Strict
  }

  @JsonPropertyDescription(
      "Versioned crypto preset: azure-2026 (Azure P2S defaults as of 2026) or strict (AEAD only,"
          + " ECP/curve25519 groups, TLS 1.3). Default azure-2026.")
  public Preset preset;

  @Size(max = 16)
  @JsonPropertyDescription("IKE (phase 1) proposals, in preference order. Replaces the preset's.")
  public List<IkePolicy> ike = new ArrayList<>();

  @Size(max = 16)
  @JsonPropertyDescription("IPsec/ESP (child SA) proposals, in preference order.")
  public List<IpsecPolicy> ipsec = new ArrayList<>();

  @JsonPropertyDescription("TLS settings for OpenVPN's control channel and SSTP.")
  public TlsPolicy tls;
}
