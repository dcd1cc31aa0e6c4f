package io.vpngateway.operator.clientcert;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vpngateway.api.v1alpha1.ClientCertificate;
import io.vpngateway.api.v1alpha1.ClientCertificateStatus;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.operator.gateway.GatewayComponents;
import io.vpngateway.operator.support.ContextKeys;
import io.vpngateway.operator.support.ErrorMessages;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.StatusPatches;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Issues ClientCertificates from their gateway's CA, renews them on time, and revokes them. */
@ControllerConfiguration(name = ClientCertificateReconciler.NAME)
@Workflow(
    explicitInvocation = true,
    dependents =
        @Dependent(
            name = ClientCertificateReconciler.OUTPUT_SECRET,
            type = ClientCertificateSecretDependentResource.class))
public class ClientCertificateReconciler
    implements Reconciler<ClientCertificate>, Cleaner<ClientCertificate> {
  public static final String NAME = "clientcertificate";
  static final String OUTPUT_SECRET = "output-secret";
  static final String GATEWAYS = "gateways";
  static final String GATEWAY_SECRETS = "gateway-secrets";
  static final String BY_GATEWAY = "clientcertificates-by-gateway";

  /** The gateway Secrets a client's Secret is made from (selected by label, then filtered). */
  static final Set<String> GATEWAY_COMPONENTS =
      Set.of(GatewayComponents.CA, GatewayComponents.CRL, GatewayComponents.SERVER_TLS);

  private static final Logger LOG = Logger.getLogger(ClientCertificateReconciler.class);
  private static final Duration MIN_RESCHEDULE = Duration.ofSeconds(1);

  private final ClientCertificateIssuance issuance;
  private final GatewaySecretWakeUps crlWakeUps = new GatewaySecretWakeUps();

  public ClientCertificateReconciler(ClientCertificateIssuance issuance) {
    this.issuance = issuance;
  }

  /**
   * Gateways and their CA, server and CRL Secrets map to the ClientCertificates that name the
   * gateway (a primary-cache index), so a new endpoint, CA or protocol set re-renders profiles.
   */
  @Override
  public List<EventSource<?, ClientCertificate>> prepareEventSources(
      EventSourceContext<ClientCertificate> context) {
    IndexerResourceCache<ClientCertificate> primaries = context.getPrimaryCache();
    primaries.addIndexer(
        BY_GATEWAY,
        cc ->
            cc.getSpec() == null || cc.getSpec().gatewayRef == null
                ? List.of()
                : List.of(key(cc.getMetadata().getNamespace(), cc.getSpec().gatewayRef.name)));
    var gateways =
        InformerEventSourceConfiguration.from(VpnGateway.class, ClientCertificate.class)
            .withName(GATEWAYS)
            .withNamespacesInheritedFromController()
            // a client's Secret reads the gateway's spec and endpoint only: the gateway's other
            // status writes (conditions, connections) would wake every one of its certificates
            .withOnUpdateFilter(ClientCertificateReconciler::concernsCertificates)
            .withSecondaryToPrimaryMapper(
                (VpnGateway gw) -> certificatesOf(primaries, gw, gw.getMetadata().getName()))
            .build();
    var secrets =
        InformerEventSourceConfiguration.from(Secret.class, ClientCertificate.class)
            .withName(GATEWAY_SECRETS)
            .withNamespacesInheritedFromController()
            .withLabelSelector(Labels.MANAGED_SELECTOR)
            .withGenericFilter(
                s -> GATEWAY_COMPONENTS.contains(s.getMetadata().getLabels().get(Labels.COMPONENT)))
            .withSecondaryToPrimaryMapper((Secret s) -> crlWakeUps.certificatesFor(primaries, s))
            .build();
    return List.of(
        new InformerEventSource<>(gateways, context), new InformerEventSource<>(secrets, context));
  }

  /** A spec change (a new generation) or a new endpoint: what a client's profiles are made of. */
  static boolean concernsCertificates(VpnGateway now, VpnGateway before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            ClientCertificateIssuance.endpoint(now), ClientCertificateIssuance.endpoint(before));
  }

  private static Set<ResourceID> certificatesOf(
      IndexerResourceCache<ClientCertificate> primaries, HasMetadata object, String gateway) {
    if (gateway == null) {
      return Set.of();
    }
    return primaries.byIndex(BY_GATEWAY, key(object.getMetadata().getNamespace(), gateway)).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  static String key(String namespace, String gateway) {
    return namespace + "/" + gateway;
  }

  @Override
  public UpdateControl<ClientCertificate> reconcile(
      ClientCertificate certificate, Context<ClientCertificate> context) {
    Instant now = Instant.now();
    Issuance outcome = issuance.decide(certificate, context, now);
    if (outcome instanceof Issuance.Issued issued) {
      ContextKeys.put(context, Issuance.KEY, issued);
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
      if (issued.renewed()) {
        LOG.infof(
            "ClientCertificate %s/%s: issued certificate %s",
            certificate.getMetadata().getNamespace(),
            certificate.getMetadata().getName(),
            issued.certificate().serialNumberHex());
      }
    }
    ClientCertificateStatus status =
        ClientCertificateStatusAggregator.aggregate(
            certificate.getStatus(), certificate.getMetadata().getGeneration(), outcome, now);
    if (!StatusPatches.unchanged(certificate.getStatus(), status)) {
      StatusPatches.write(context, certificate, status);
    }
    UpdateControl<ClientCertificate> control = UpdateControl.noUpdate();
    if (outcome instanceof Issuance.Issued issued) {
      // renewal is scheduled for renewalTime, not polled
      Duration untilRenewal = Duration.between(now, issued.renewalTime());
      control.rescheduleAfter(
          untilRenewal.compareTo(MIN_RESCHEDULE) < 0 ? MIN_RESCHEDULE : untilRenewal);
    }
    return control;
  }

  /** Deleting a ClientCertificate revokes it first: the CRL lists it before the finalizer goes. */
  @Override
  public DeleteControl cleanup(ClientCertificate certificate, Context<ClientCertificate> context) {
    issuance.revokeOnDelete(certificate, context, Instant.now());
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<ClientCertificate> updateErrorStatus(
      ClientCertificate certificate, Context<ClientCertificate> context, Exception e) {
    if (StatusPatches.isConflict(e)) {
      LOG.debugf(
          "ClientCertificate %s/%s changed while reconciling: reconciling again",
          certificate.getMetadata().getNamespace(),
          certificate.getMetadata().getName());
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    LOG.warnf(
        "ClientCertificate %s/%s: reconcile failed: %s",
        certificate.getMetadata().getNamespace(),
        certificate.getMetadata().getName(),
        ErrorMessages.describe(e));
    ClientCertificateStatus status =
        ClientCertificateStatusAggregator.error(
            certificate.getStatus(), certificate.getMetadata().getGeneration(), e, Instant.now());
    return ErrorStatusUpdateControl.patchStatus(
        StatusPatches.of(certificate, status, new ClientCertificate()));
  }
}
