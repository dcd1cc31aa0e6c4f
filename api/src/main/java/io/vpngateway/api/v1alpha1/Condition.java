package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * A status condition, shaped like Kubernetes' {@code metav1.Condition} and cert-manager's
 * {@code CertificateCondition}. {@link #lastTransitionTime} changes only when {@link #status}
 * flips; see {@link Conditions#set}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  @Required
  @JsonPropertyDescription("Type of the condition, e.g. Ready.")
  public String type;

  @Required
  @JsonPropertyDescription("Status of the condition: True, False or Unknown.")
  public String status;

  @JsonPropertyDescription("Machine-readable CamelCase reason for the last transition.")
  public String reason;

  @JsonPropertyDescription("Human-readable details. Never contains secret material.")
  public String message;

  @JsonPropertyDescription("RFC 3339 time the status last changed.")
  public String lastTransitionTime;

  @JsonPropertyDescription("The metadata.generation this condition was computed from.")
  public Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }

  /** Not a field: without {@code @JsonIgnore} Jackson would write a {@code "true"} property. */
  @JsonIgnore
  public boolean isTrue() {
    return TRUE.equals(status);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition c
        && Objects.equals(type, c.type)
        && Objects.equals(status, c.status)
        && Objects.equals(reason, c.reason)
        && Objects.equals(message, c.message)
        && Objects.equals(lastTransitionTime, c.lastTransitionTime)
        && Objects.equals(observedGeneration, c.observedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
  }

  @Override
  public String toString() {
    return type + "=" + status + " (" + reason + "): " + message;
  }
}
