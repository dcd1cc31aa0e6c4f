package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vpngateway.api.config.ConfigError;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.config.GatewayConfigRenderer;
import io.vpngateway.api.config.GatewayConfigValidator;
import io.vpngateway.api.config.RenderDefaults;
import io.vpngateway.api.pki.ServerNames;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.VpnGatewayStatus;
import io.vpngateway.operator.config.OperatorConfig;
import io.vpngateway.operator.render.GatewayServerNames;
import io.vpngateway.operator.support.Hashes;
import io.vpngateway.operator.support.Names;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Works out a VpnGateway's {@link GatewayInputs} from the CR and the informer caches, in the order
 * that keeps running gateways safe: a spec error, a missing referenced Secret or a lost CA stops
 * here, before the workflow could change anything.
 */
@ApplicationScoped
public class GatewayPreparer {
  private final OperatorConfig config;
  private final GatewayCertificates certificates;
  private final GatewayInputs.OperatorPods operatorPods;
  private final SecureRandom random = new SecureRandom();

  public GatewayPreparer(OperatorConfig config) {
    this.config = config;
    this.certificates = new GatewayCertificates(config.pki());
    this.operatorPods =
        GatewayInputs.OperatorPods.of(
            config.operator().namespace(), config.operator().podSelector());
  }

  /**
   * The checks run in this order, each stopping before anything is written: the spec renders and
   * validates, every referenced Secret resolves, the CA (if one was ever made) still exists.
   */
  Preparation prepare(VpnGateway gateway, Context<VpnGateway> context, Instant now) {
    GatewayConfig rendered;
    try {
      rendered = GatewayConfigRenderer.render(gateway, renderDefaults());
    } catch (IllegalArgumentException e) {
      return new Preparation.InvalidSpec(List.of(new ConfigError("spec", e.getMessage())));
    }
    List<ConfigError> errors = GatewayConfigValidator.validate(rendered);
    if (!errors.isEmpty()) {
      return new Preparation.InvalidSpec(errors);
    }
    var resolution =
        ReferencedSecrets.resolve(
            ReferencedSecrets.of(gateway.getSpec()), name -> referenced(gateway, context, name));
    if (!resolution.complete()) {
      return new Preparation.MissingSecrets(resolution.missing());
    }
    Optional<Secret> ca = owned(context, VpnGatewayReconciler.CA_SECRET);
    if (ca.isEmpty() && caWasMade(gateway)) {
      return new Preparation.CaSecretLost(Names.caSecret(gateway));
    }
    Optional<Secret> configSecret = owned(context, VpnGatewayReconciler.CONFIG_SECRET);
    GatewayCertificates.Material material =
        certificates(gateway, context, ca, configSecret, rendered.files(), now);
    Map<String, String> files =
        ConfigFiles.of(rendered, resolution.files(), configSecret, material.management(), random);
    return new Preparation.Prepared(inputs(gateway, rendered, files, material));
  }

  private GatewayCertificates.Material certificates(
      VpnGateway gateway,
      Context<VpnGateway> context,
      Optional<Secret> ca,
      Optional<Secret> configSecret,
      GatewayConfig.Files files,
      Instant now) {
    Optional<ServerNames> names =
        byoServerSecret(gateway).isPresent()
            ? Optional.empty()
            : Optional.of(
                GatewayServerNames.of(
                    gateway,
                    Names.workload(gateway),
                    ServiceEndpoint.of(context.getSecondaryResource(Service.class)).orElse(null),
                    config.cluster().domain()));
    return certificates.prepare(
        gateway,
        ca,
        owned(context, VpnGatewayReconciler.SERVER_SECRET),
        owned(context, VpnGatewayReconciler.CRL_SECRET),
        configSecret,
        files,
        names,
        now);
  }

  private GatewayInputs inputs(
      VpnGateway gateway,
      GatewayConfig rendered,
      Map<String, String> files,
      GatewayCertificates.Material material) {
    return new GatewayInputs(
        rendered,
        files,
        Hashes.shortSha256(rendered.restartFingerprint()),
        image(gateway),
        config.gateway().imagePullPolicy(),
        config.gateway().ipForwardSysctl(),
        byoServerSecret(gateway).orElse(Names.serverSecret(gateway)),
        material,
        operatorPods);
  }

  RenderDefaults renderDefaults() {
    return new RenderDefaults(config.cluster().dnsServer().orElse(null), config.cluster().domain());
  }

  private String image(VpnGateway gateway) {
    var template = gateway.getSpec().template;
    return template != null && template.image != null && !template.image.isBlank()
        ? template.image
        : config.gateway().image();
  }

  static Optional<String> byoServerSecret(VpnGateway gateway) {
    var server = gateway.getSpec().serverCertificate;
    return server == null || server.secretName == null || server.secretName.isBlank()
        ? Optional.empty()
        : Optional.of(server.secretName);
  }

  /** The status records the CA Secret once the CA was made; from then on it must exist. */
  private static boolean caWasMade(VpnGateway gateway) {
    VpnGatewayStatus status = gateway.getStatus();
    return status != null && status.objects != null && status.objects.caSecret != null;
  }

  private static Optional<Secret> owned(Context<VpnGateway> context, String dependentName) {
    return context.getSecondaryResource(Secret.class, dependentName);
  }

  @SuppressWarnings("unchecked")
  private static Optional<Secret> referenced(
      VpnGateway gateway, Context<VpnGateway> context, String name) {
    var source =
        (InformerEventSource<Secret, VpnGateway>)
            context
                .eventSourceRetriever()
                .getEventSourceFor(Secret.class, VpnGatewayReconciler.REFERENCED_SECRETS);
    return source.get(new ResourceID(name, gateway.getMetadata().getNamespace()));
  }
}
