package io.vpngateway.operator.gateway;

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
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.api.v1alpha1.spec.ServiceSpec;
import io.vpngateway.operator.support.ContextKeys;
import io.vpngateway.operator.support.ErrorMessages;
import io.vpngateway.operator.support.StatusPatches;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Reconciles a VpnGateway into its CA, certificates, config, gateway pods and Service. */
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
  static final String PDB = "pdb";

  /** Informer on the user's Secrets that gateways reference (trusted roots, RADIUS). */
  static final String REFERENCED_SECRETS = "referenced-secrets";

  private static final Logger LOG = Logger.getLogger(VpnGatewayReconciler.class);
  private static final Duration MIN_RESCHEDULE = Duration.ofSeconds(1);

  private final GatewayPreparer preparer;

  public VpnGatewayReconciler(GatewayPreparer preparer) {
    this.preparer = preparer;
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
    return List.of(new InformerEventSource<>(config, context));
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
    VpnGatewayStatus status =
        VpnGatewayStatusAggregator.aggregate(
            gateway.getStatus(),
            new VpnGatewayStatusAggregator.Observation(
                gateway.getMetadata().getGeneration(),
                preparation,
                context.getSecondaryResource(StatefulSet.class),
                context.getSecondaryResource(Service.class),
                GatewayConfigRenderer.replicas(gateway.getSpec()),
                serviceType(gateway)),
            now);
    UpdateControl<VpnGateway> control =
        StatusPatches.unchanged(gateway.getStatus(), status)
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(StatusPatches.of(gateway, status, new VpnGateway()));
    if (preparation instanceof Preparation.Prepared prepared) {
      // wake up to renew the server certificate or re-sign the CRL: scheduled, not polled
      Duration untilRenewal = Duration.between(now, prepared.inputs().certificates().renewAt());
      control.rescheduleAfter(
          untilRenewal.compareTo(MIN_RESCHEDULE) < 0 ? MIN_RESCHEDULE : untilRenewal);
    }
    return control;
  }

  @Override
  public ErrorStatusUpdateControl<VpnGateway> updateErrorStatus(
      VpnGateway gateway, Context<VpnGateway> context, Exception e) {
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
