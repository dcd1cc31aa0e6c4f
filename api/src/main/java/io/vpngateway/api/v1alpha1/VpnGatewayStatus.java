package io.vpngateway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Observed state of a VpnGateway. Written only by the operator; never holds secret material. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VpnGatewayStatus {
  /** Replica counts of the gateway StatefulSet. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Replicas {
    @JsonPropertyDescription("Replicas the spec asks for.")
    public Integer desired;

    @JsonPropertyDescription("Replicas whose gateway answers its readiness probe.")
    public Integer ready;
  }

  /** Live client connections as reported by the gateways' management API. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Connections {
    @JsonPropertyDescription("Connected clients across all replicas.")
    public Integer active;

    @JsonPropertyDescription("Connected clients per protocol.")
    public Map<String, Integer> byProtocol = new LinkedHashMap<>();
  }

  /** Names of the objects the operator made for this gateway. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OwnedObjects {
    @JsonPropertyDescription("Secret holding the gateway CA certificate and key.")
    public String caSecret;

    @JsonPropertyDescription("Secret holding the server certificate and key.")
    public String serverSecret;

    @JsonPropertyDescription("Secret holding the CRL and the tls-crypt-v2 server key.")
    public String crlSecret;

    @JsonPropertyDescription("Secret holding the rendered gateway config document.")
    public String configSecret;

    @JsonPropertyDescription("The gateway StatefulSet.")
    public String statefulSet;

    @JsonPropertyDescription("The gateway Service.")
    public String service;
  }

  @JsonPropertyDescription("The metadata.generation the status was computed from.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready (summary), CertificatesReady, ConfigReady, Deployed, EndpointReady.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Address or host name clients connect to.")
  public String endpoint;

  @JsonPropertyDescription("Desired and ready gateway replicas.")
  public Replicas replicas;

  @JsonPropertyDescription(
      "Live connections, read from the gateways' management API; absent when unknown.")
  public Connections connections;

  @JsonPropertyDescription("Objects made for this gateway.")
  public OwnedObjects objects;

  @JsonPropertyDescription("Hash of the settings that need a pod restart (rolled on change).")
  public String podConfigHash;
}
