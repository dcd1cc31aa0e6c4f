package io.vpngateway.api.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotations copied onto the output Secret. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class SecretTemplate {
  @JsonPropertyDescription("Labels for the Secret.")
  public Map<String, String> labels = new LinkedHashMap<>();

  @JsonPropertyDescription("Annotations for the Secret.")
  public Map<String, String> annotations = new LinkedHashMap<>();
}
