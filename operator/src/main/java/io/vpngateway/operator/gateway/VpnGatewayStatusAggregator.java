package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.vpngateway.api.v1alpha1.Condition;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.Conditions;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.operator.support.ErrorMessages;
import io.vpngateway.operator.support.Names;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Builds a VpnGateway's status, the only writer of its conditions. Each specific condition is
 * derived from one observation; {@code Ready} reports the first specific condition that is False
 * (else the first not yet True), in the order a user should fix things: spec, certificates, pods,
 * endpoint.
 */
public final class VpnGatewayStatusAggregator {
  /** The specific conditions, in the order {@code Ready} reports their problems. */
  static final List<String> SPECIFIC =
      List.of(
          ConditionTypes.CONFIG_READY,
          ConditionTypes.CERTIFICATES_READY,
          ConditionTypes.DEPLOYED,
          ConditionTypes.ENDPOINT_READY);

  /**
   * What one reconcile saw.
   *
   * @param desiredReplicas replicas the spec asks for (explicit or from the sku)
   * @param serviceType the Service type the spec asks for
   * @param connections live connections summed over the pods that answered; empty when none did
   * @param radiusConfigured the spec has RADIUS servers (else no RadiusReachable condition)
   * @param oidcConfigured the spec has an OIDC issuer (else no OidcIssuerReachable condition)
   * @param auth the pods' view of their authentication servers; empty when no pod answered
   */
  public record Observation(
      long generation,
      Preparation preparation,
      Optional<StatefulSet> statefulSet,
      Optional<Service> service,
      int desiredReplicas,
      String serviceType,
      Optional<VpnGatewayStatus.Connections> connections,
      boolean radiusConfigured,
      boolean oidcConfigured,
      Optional<AuthHealth> auth) {

    /** Without authentication servers. */
    public Observation(
        long generation,
        Preparation preparation,
        Optional<StatefulSet> statefulSet,
        Optional<Service> service,
        int desiredReplicas,
        String serviceType,
        Optional<VpnGatewayStatus.Connections> connections) {
      this(generation, preparation, statefulSet, service, desiredReplicas, serviceType,
          connections, false, false, Optional.empty());
    }
  }

  private VpnGatewayStatusAggregator() {}

  public static VpnGatewayStatus aggregate(
      VpnGatewayStatus previous, Observation observation, Instant now) {
    VpnGatewayStatus status = new VpnGatewayStatus();
    List<Condition> conditions = previous == null ? List.of() : previous.conditions;
    conditions = set(conditions, config(observation, conditions), observation, now);
    conditions = set(conditions, certificates(observation, conditions), observation, now);
    conditions = set(conditions, deployed(observation), observation, now);
    Optional<String> endpoint = ServiceEndpoint.of(observation.service());
    conditions = set(conditions, endpoint(observation, endpoint), observation, now);
    conditions = set(conditions, ready(conditions, endpoint), observation, now);
    conditions =
        authCondition(
            conditions,
            ConditionTypes.RADIUS_REACHABLE,
            observation.radiusConfigured(),
            AuthBackendConditions.radius(observation.auth()),
            observation,
            now);
    conditions =
        authCondition(
            conditions,
            ConditionTypes.OIDC_ISSUER_REACHABLE,
            observation.oidcConfigured(),
            AuthBackendConditions.oidc(observation.auth()),
            observation,
            now);
    status.conditions = conditions;
    status.observedGeneration = observation.generation();
    status.endpoint = endpoint.orElse(null);
    status.replicas = replicas(observation);
    // absent, never guessed, when no pod answered
    status.connections = observation.connections().orElse(null);
    if (observation.preparation() instanceof Preparation.Prepared prepared) {
      status.objects = objects(prepared.inputs());
      status.podConfigHash = prepared.inputs().restartHash();
    } else if (previous != null) {
      status.objects = previous.objects;
      status.podConfigHash = previous.podConfigHash;
    }
    return status;
  }

  /** The status after a reconcile failed: Ready=False with the error, the rest as it was. */
  public static VpnGatewayStatus error(
      VpnGatewayStatus previous, long generation, Exception error, Instant now) {
    VpnGatewayStatus status = previous == null ? new VpnGatewayStatus() : previous;
    Condition ready =
        new Condition(
            ConditionTypes.READY,
            Condition.FALSE,
            ConditionTypes.REASON_RECONCILE_ERROR,
            ErrorMessages.describe(error));
    ready.observedGeneration = generation;
    status.conditions = Conditions.set(status.conditions, ready, now);
    return status;
  }

  private static Condition config(Observation o, List<Condition> previous) {
    Preparation p = o.preparation();
    if (p instanceof Preparation.InvalidSpec invalid) {
      return condition(
          ConditionTypes.CONFIG_READY,
          false,
          ConditionTypes.REASON_INVALID_SPEC,
          invalid.errors().stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
    if (p instanceof Preparation.MissingSecrets missing) {
      return condition(
          ConditionTypes.CONFIG_READY,
          false,
          ConditionTypes.REASON_SECRET_NOT_FOUND,
          String.join("; ", missing.messages()));
    }
    if (p instanceof Preparation.Prepared prepared) {
      return condition(
          ConditionTypes.CONFIG_READY,
          true,
          ConditionTypes.REASON_READY,
          "config rendered for " + String.join(", ", prepared.inputs().config().protocols()));
    }
    return unchanged(ConditionTypes.CONFIG_READY, previous);
  }

  private static Condition certificates(Observation o, List<Condition> previous) {
    Preparation p = o.preparation();
    if (p instanceof Preparation.CaSecretLost lost) {
      return condition(
          ConditionTypes.CERTIFICATES_READY,
          false,
          ConditionTypes.REASON_CA_LOST,
          "Secret '"
              + lost.secretName()
              + "' with the gateway CA was deleted; restore it from a backup. No new CA is"
              + " made: it would invalidate every issued client certificate");
    }
    if (p instanceof Preparation.Prepared prepared) {
      return condition(
          ConditionTypes.CERTIFICATES_READY,
          true,
          ConditionTypes.REASON_READY,
          "CA, server certificate ("
              + prepared.inputs().serverSecretName()
              + ") and CRL are in place");
    }
    return unchanged(ConditionTypes.CERTIFICATES_READY, previous);
  }

  private static Condition deployed(Observation o) {
    if (o.statefulSet().isEmpty()) {
      return condition(
          ConditionTypes.DEPLOYED,
          false,
          ConditionTypes.REASON_PROGRESSING,
          "the gateway StatefulSet does not exist yet");
    }
    int desired = desiredOf(o.statefulSet().get());
    int ready = readyOf(o.statefulSet().get());
    String counts = ready + "/" + desired + " replicas ready";
    return desired > 0 && ready >= desired
        ? condition(ConditionTypes.DEPLOYED, true, ConditionTypes.REASON_READY, counts)
        : condition(ConditionTypes.DEPLOYED, false, ConditionTypes.REASON_PROGRESSING, counts);
  }

  private static Condition endpoint(Observation o, Optional<String> endpoint) {
    if (o.service().isEmpty()) {
      return condition(
          ConditionTypes.ENDPOINT_READY,
          false,
          ConditionTypes.REASON_PENDING,
          "the gateway Service does not exist yet");
    }
    if (endpoint.isPresent()) {
      return condition(
          ConditionTypes.ENDPOINT_READY,
          true,
          ConditionTypes.REASON_READY,
          "clients connect to " + endpoint.get());
    }
    if ("NodePort".equals(o.serviceType())) {
      return condition(
          ConditionTypes.ENDPOINT_READY,
          true,
          ConditionTypes.REASON_READY,
          "NodePort Service: clients connect to a node address on the node ports");
    }
    return condition(
        ConditionTypes.ENDPOINT_READY,
        false,
        ConditionTypes.REASON_PENDING,
        "waiting for the load balancer to assign an address");
  }

  /**
   * An authentication server's condition: removed when the spec no longer has that method, kept
   * as it was when no pod answered this round, else replaced by what the pods said.
   */
  private static List<Condition> authCondition(
      List<Condition> conditions,
      String type,
      boolean configured,
      Optional<Condition> observed,
      Observation o,
      Instant now) {
    if (!configured) {
      return conditions.stream().filter(c -> !type.equals(c.type)).toList();
    }
    Condition c = observed.orElseGet(() -> unchanged(type, conditions));
    if (observed.isEmpty() && Conditions.find(conditions, type).isEmpty()) {
      c = new Condition(type, Condition.UNKNOWN, ConditionTypes.REASON_NOT_CHECKED,
          "no gateway pod answered yet");
    }
    return set(conditions, c, o, now);
  }

  /** The first False specific condition (a known problem), else the first one not True yet. */
  private static Condition ready(List<Condition> conditions, Optional<String> endpoint) {
    Optional<Condition> problem =
        SPECIFIC.stream()
            .map(type -> Conditions.find(conditions, type))
            .flatMap(Optional::stream)
            .filter(c -> Condition.FALSE.equals(c.status))
            .findFirst();
    if (problem.isEmpty()) {
      problem =
          SPECIFIC.stream()
              .map(type -> Conditions.find(conditions, type))
              .flatMap(Optional::stream)
              .filter(c -> !c.isTrue())
              .findFirst();
    }
    return problem
        .map(
            c ->
                condition(
                    ConditionTypes.READY,
                    false,
                    c.reason == null ? ConditionTypes.REASON_PENDING : c.reason,
                    c.message))
        .orElse(
            condition(
                ConditionTypes.READY,
                true,
                ConditionTypes.REASON_READY,
                endpoint.map(e -> "gateway ready at " + e).orElse("gateway ready")));
  }

  private static VpnGatewayStatus.OwnedObjects objects(GatewayInputs inputs) {
    String gateway = inputs.config().gateway().name();
    VpnGatewayStatus.OwnedObjects objects = new VpnGatewayStatus.OwnedObjects();
    objects.caSecret = Names.caSecret(gateway);
    objects.serverSecret = inputs.serverSecretName();
    objects.crlSecret = Names.crlSecret(gateway);
    objects.configSecret = gateway + Names.CONFIG_SUFFIX;
    objects.statefulSet = gateway;
    objects.service = gateway;
    return objects;
  }

  private static VpnGatewayStatus.Replicas replicas(Observation o) {
    VpnGatewayStatus.Replicas replicas = new VpnGatewayStatus.Replicas();
    replicas.desired = o.desiredReplicas();
    replicas.ready = o.statefulSet().map(VpnGatewayStatusAggregator::readyOf).orElse(0);
    return replicas;
  }

  private static int desiredOf(StatefulSet s) {
    return s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
  }

  private static int readyOf(StatefulSet s) {
    return s.getStatus() == null || s.getStatus().getReadyReplicas() == null
        ? 0
        : s.getStatus().getReadyReplicas();
  }

  /** The previous condition of {@code type} as it was, or Unknown when there is none. */
  private static Condition unchanged(String type, List<Condition> previous) {
    return Conditions.find(previous, type)
        .map(VpnGatewayStatusAggregator::copy)
        .orElse(
            new Condition(
                type, Condition.UNKNOWN, ConditionTypes.REASON_PENDING, "not checked yet"));
  }

  private static Condition copy(Condition c) {
    Condition copy = new Condition(c.type, c.status, c.reason, c.message);
    copy.observedGeneration = c.observedGeneration;
    return copy;
  }

  private static Condition condition(String type, boolean ok, String reason, String message) {
    return new Condition(type, ok ? Condition.TRUE : Condition.FALSE, reason, message);
  }

  private static List<Condition> set(
      List<Condition> conditions, Condition updated, Observation o, Instant now) {
    // a condition carried over unchanged keeps the generation it was computed from
    if (updated.observedGeneration == null) {
      updated.observedGeneration = o.generation();
    }
    return Conditions.set(conditions, updated, now);
  }
}
