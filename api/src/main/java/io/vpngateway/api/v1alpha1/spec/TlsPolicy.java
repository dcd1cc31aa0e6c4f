package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** TLS for the OpenVPN control channel and SSTP. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class TlsPolicy {
  /** TLS protocol versions. */
  public enum Version {
    @JsonProperty("1.2")
    V1_2,
    @JsonProperty("1.3")
    V1_3
  }

  @JsonPropertyDescription("Lowest TLS version accepted: 1.2 or 1.3.")
  public Version minVersion;

  @Size(max = 32)
  @JsonPropertyDescription(
      "IANA names of the TLS 1.2 and 1.3 cipher suites allowed, e.g. TLS_AES_256_GCM_SHA384.")
  public List<String> cipherSuites = new ArrayList<>();

  @Size(max = 3)
  @JsonPropertyDescription(
      "OpenVPN data-channel ciphers in preference order: AES-256-GCM, AES-128-GCM,"
          + " CHACHA20-POLY1305.")
  public List<String> dataCiphers = new ArrayList<>();
}
