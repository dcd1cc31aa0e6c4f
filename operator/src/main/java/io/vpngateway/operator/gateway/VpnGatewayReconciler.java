package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.pki.ManagementTls;
import io.vpngateway.api.pki.Pem;
import io.vpngateway.api.v1alpha1.ConditionTypes;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.operator.config.OperatorConfig;
import io.vpngateway.operator.support.ContextKeys;
import io.vpngateway.operator.support.ErrorMessages;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.SecretData;
import io.vpngateway.operator.support.StatusPatches;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles a VpnGateway into its CA, certificates, config, gateway pods, Service and the
 * NetworkPolicy that admits only the operator to the pods' management port.
 *
 * <p>Everything is event-driven except {@code status.connections}: the gateways' management API has
 * no watch, so while a gateway is Ready it is reconciled again every {@code
 * vpngateway.connections.poll-interval} (30 s by default) to re-read its pods' session counts. Such
 * a reconcile writes nothing unless a count changed.
 */
@ControllerConfiguration(name = VpnGatewayReconciler.NAME)
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(
          name = VpnGatewayReconciler.CA_SECRET,
          type = VpnGatewayCaSecretDependentResource.class),
      @Dependent(
          name = VpnGatewayReconciler.SERVER_SECRET,
          type = VpnGatewayServerSecretDependentResource.class,
          dependsOn = VpnGatewayReconciler.CA_SECRET,
          reconcilePrecondition = BuiltInServerCertificateCondition.class),
      @Dependent(
          name = VpnGatewayReconciler.CRL_SECRET,
          type = VpnGatewayCrlSecretDependentResource.class,
          dependsOn = VpnGatewayReconciler.CA_SECRET),
      @Dependent(
          name = VpnGatewayReconciler.CONFIG_SECRET,
          type = VpnGatewayConfigSecretDependentResource.class),
      @Dependent(
          name = VpnGatewayReconciler.STATEFUL_SET,
          type = VpnGatewayStatefulSetDependentResource.class,
          dependsOn = {VpnGatewayReconciler.CONFIG_SECRET, VpnGatewayReconciler.CRL_SECRET}),
      @Dependent(
          name = VpnGatewayReconciler.SERVICE,
          type = VpnGatewayServiceDependentResource.class),
      @Dependent(
          name = VpnGatewayReconciler.NETWORK_POLICY,
          type = VpnGatewayNetworkPolicyDependentResource.class),
      @Dependent(
          name = VpnGatewayReconciler.PDB,
          type = VpnGatewayPodDisruptionBudgetDependentResource.class,
          dependsOn = VpnGatewayReconciler.STATEFUL_SET,
          reconcilePrecondition = MultipleReplicasCondition.class)
    })
public class VpnGatewayReconciler implements Reconciler<VpnGateway> {
  public static final String NAME = "vpngateway";
  static final String CA_SECRET = "ca-secret";
  static final String SERVER_SECRET = "server-secret";
  static final String CRL_SECRET = "crl-secret";
  static final String CONFIG_SECRET = "config-secret";
  static final String STATEFUL_SET = "statefulset";
  static final String SERVICE = "service";
  static final String NETWORK_POLICY = "network-policy";
  static final String PDB = "pdb";

  /** Informer on the user's Secrets that gateways reference (trusted roots, RADIUS). */
  static final String REFERENCED_SECRETS = "referenced-secrets";

  /** Informer on the gateway pods: their IPs and readiness, for the connections probe. */
  static final String GATEWAY_PODS = "gateway-pods";

  /** The config Secret key of the management API's bearer token. */
  private static final String MANAGEMENT_TOKEN = GatewayConfig.Files.defaults().managementToken();

  private static final Logger LOG = Logger.getLogger(VpnGatewayReconciler.class);
  private static final Duration MIN_RESCHEDULE = Duration.ofSeconds(1);

  private final GatewayPreparer preparer;
  private final ConnectionsProbe connections;
  private final Duration connectionsPollInterval;

  @Inject
  public VpnGatewayReconciler(GatewayPreparer preparer, OperatorConfig config) {
    this(
        preparer,
        new ConnectionsProbe(
            new HttpManagementApi(config.connections().timeout()), config.connections().timeout()),
        config.connections().pollInterval());
  }

  /**
   * @param connections reads live connections from the gateway pods
   * @param connectionsPollInterval how often a Ready gateway is reconciled to refresh them
   */
  public VpnGatewayReconciler(
      GatewayPreparer preparer, ConnectionsProbe connections, Duration connectionsPollInterval) {
    this.preparer = preparer;
    this.connections = connections;
    this.connectionsPollInterval = connectionsPollInterval;
  }

  /**
   * Watches the user's Secrets without polling: every Secret event passes a filter that keeps only
   * Secrets some VpnGateway references (a primary-cache index), then maps back to those gateways. A
   * missing RADIUS secret is retried the moment it is created.
   */
  @Override
  public List<EventSource<?, VpnGateway>> prepareEventSources(
      EventSourceContext<VpnGateway> context) {
    var primaries = context.getPrimaryCache();
    primaries.addIndexer(ReferencedSecrets.INDEX, ReferencedSecrets::indexKeys);
    InformerEventSourceConfiguration<Secret> config =
        InformerEventSourceConfiguration.from(Secret.class, VpnGateway.class)
            .withName(REFERENCED_SECRETS)
            .withNamespacesInheritedFromController()
            .withGenericFilter(secret -> !referencing(primaries, secret).isEmpty())
            .withSecondaryToPrimaryMapper(secret -> referencing(primaries, secret))
            .build();
    // gateway pods map to their gateway by label; their events (IP, readiness) trigger a reconcile
    InformerEventSourceConfiguration<Pod> pods =
        InformerEventSourceConfiguration.from(Pod.class, VpnGateway.class)
            .withName(GATEWAY_PODS)
            .withNamespacesInheritedFromController()
            .withLabelSelector(
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.GATEWAY)
            .withSecondaryToPrimaryMapper(VpnGatewayReconciler::gatewayOf)
            .build();
    return List.of(
        new InformerEventSource<>(config, context), new InformerEventSource<>(pods, context));
  }

  private static Set<ResourceID> gatewayOf(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    String gateway = labels == null ? null : labels.get(Labels.GATEWAY);
    return gateway == null
        ? Set.of()
        : Set.of(new ResourceID(gateway, pod.getMetadata().getNamespace()));
  }

  private static Set<ResourceID> referencing(
      io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<VpnGateway>
          primaries,
      Secret secret) {
    String key =
        ReferencedSecrets.indexKey(
            secret.getMetadata().getNamespace(), secret.getMetadata().getName());
    return primaries.byIndex(ReferencedSecrets.INDEX, key).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<VpnGateway> reconcile(VpnGateway gateway, Context<VpnGateway> context) {
    Instant now = Instant.now();
    Preparation preparation = preparer.prepare(gateway, context, now);
    if (preparation instanceof Preparation.Prepared prepared) {
      ContextKeys.put(context, GatewayInputs.KEY, prepared.inputs());
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    } else {
      LOG.infof(
          "VpnGateway %s/%s: leaving running objects as they are (%s)",
          gateway.getMetadata().getNamespace(),
          gateway.getMetadata().getName(),
          preparation.getClass().getSimpleName());
    }
    ConnectionsProbe.Probe probe =
        connections.probeGateway(
            context.getSecondaryResources(Pod.class), managementAccess(gateway, context));
    var auth = gateway.getSpec().authentication;
    VpnGatewayStatus status =
        VpnGatewayStatusAggregator.aggregate(
            gateway.getStatus(),
            new VpnGatewayStatusAggregator.Observation(
                gateway.getMetadata().getGeneration(),
                preparation,
                context.getSecondaryResource(StatefulSet.class),
                context.getSecondaryResource(Service.class),
                GatewayConfigRenderer.replicas(gateway.getSpec()),
                serviceType(gateway),
                probe.connections(),
                auth != null && auth.radius != null,
                auth != null && auth.oidc != null,
                probe.auth()),
            now);
    if (!StatusPatches.unchanged(gateway.getStatus(), status)) {
      StatusPatches.write(context, gateway, status);
    }
    UpdateControl<VpnGateway> control = UpdateControl.noUpdate();
    Optional<Instant> renewAt =
        preparation instanceof Preparation.Prepared prepared
            ? Optional.of(prepared.inputs().certificates().renewAt())
            : Optional.empty();
    Optional<Duration> next = nextWakeUp(now, renewAt, ready(status), connectionsPollInterval);
    next.ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * When to reconcile again without an event: at the server certificate's or CRL's renewal time
   * (scheduled, not polled; at least {@link #MIN_RESCHEDULE} ahead), and no later than {@code
   * pollInterval} while the gateway is Ready, the one poll, because session counts change without
   * any Kubernetes event. Empty: wait for the next event.
   */
  static Optional<Duration> nextWakeUp(
      Instant now, Optional<Instant> renewAt, boolean ready, Duration pollInterval) {
    Optional<Duration> untilRenewal =
        renewAt
            .map(at -> Duration.between(now, at))
            .map(d -> d.compareTo(MIN_RESCHEDULE) < 0 ? MIN_RESCHEDULE : d);
    if (!ready) {
      return untilRenewal;
    }
    return Optional.of(
        untilRenewal.filter(d -> d.compareTo(pollInterval) < 0).orElse(pollInterval));
  }

  /**
   * The token the pods were given (the config Secret as it exists, not as it is about to be) and
   * the gateway's CA, which issued their management certificate.
   */
  private static Optional<ManagementApi.Access> managementAccess(
      VpnGateway gateway, Context<VpnGateway> context) {
    Optional<String> token =
        context
            .getSecondaryResource(Secret.class, CONFIG_SECRET)
            .flatMap(secret -> SecretData.get(secret, MANAGEMENT_TOKEN));
    Optional<X509Certificate> ca =
        context
            .getSecondaryResource(Secret.class, CA_SECRET)
            .flatMap(secret -> SecretData.get(secret, ConfigFiles.CA_CERT_KEY))
            .flatMap(VpnGatewayReconciler::certificate);
    if (token.isEmpty() || ca.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ManagementApi.Access(
            token.get(),
            ca.get(),
            ManagementTls.identity(
                gateway.getMetadata().getNamespace(), gateway.getMetadata().getName())));
  }

  private static Optional<X509Certificate> certificate(String pem) {
    try {
      return Optional.of(Pem.decodeCertificate(pem));
    } catch (RuntimeException e) {
      return Optional.empty(); // the CA Secret's own problem; the preparer reports it
    }
  }

  private static boolean ready(VpnGatewayStatus status) {
    return status.conditions.stream()
        .anyMatch(c -> ConditionTypes.READY.equals(c.type) && c.isTrue());
  }

  @Override
  public ErrorStatusUpdateControl<VpnGateway> updateErrorStatus(
      VpnGateway gateway, Context<VpnGateway> context, Exception e) {
    if (StatusPatches.isConflict(e)) {
      LOG.debugf(
          "VpnGateway %s/%s changed while reconciling: reconciling again",
          gateway.getMetadata().getNamespace(),
          gateway.getMetadata().getName());
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    LOG.warnf(
        "VpnGateway %s/%s: reconcile failed: %s",
        gateway.getMetadata().getNamespace(),
        gateway.getMetadata().getName(),
        ErrorMessages.describe(e));
    VpnGatewayStatus status =
        VpnGatewayStatusAggregator.error(
            gateway.getStatus(), gateway.getMetadata().getGeneration(), e, Instant.now());
    return ErrorStatusUpdateControl.patchStatus(
        StatusPatches.of(gateway, status, new VpnGateway()));
  }

  private static String serviceType(VpnGateway gateway) {
    ServiceSpec service = gateway.getSpec().service;
    return service == null || service.type == null
        ? ServiceSpec.Type.LoadBalancer.name()
        : service.type.name();
  }
}
