package io.vpngateway.operator.gateway;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.api.v1alpha1.ApiGroup;
import io.vpngateway.api.v1alpha1.VpnGateway;
import io.vpngateway.api.v1alpha1.spec.GatewayTemplate;
import io.vpngateway.operator.render.GatewayPorts;
import io.vpngateway.operator.render.PodResources;
import io.vpngateway.operator.support.Labels;
import io.vpngateway.operator.support.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway pods. A StatefulSet because each pod's ordinal picks its slice of every address pool
 * (the gateway computes the slice from the config and its pod name). Pods hold NET_ADMIN only, open
 * {@code /dev/net/tun} from the host, and run on a read-only root filesystem.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + GatewayComponents.GATEWAY))
public class VpnGatewayStatefulSetDependentResource extends GatewayDependentResource<StatefulSet> {
  /** Pod-template annotation: hash of the settings a running gateway cannot reload. */
  public static final String RESTART_HASH_ANNOTATION = ApiGroup.NAME + "/restart-hash";

  public static final String CONTAINER = "gateway";
  public static final String CONFIG_DIR = "/etc/vpngw";
  public static final String CONFIG_FILE = CONFIG_DIR + "/" + ConfigFiles.DOCUMENT;
  public static final String READINESS_PATH = "/readyz";
  public static final String LIVENESS_PATH = "/healthz";
  static final String TUN_DEVICE = "/dev/net/tun";

  public VpnGatewayStatefulSetDependentResource() {
    super(StatefulSet.class);
  }

  @Override
  protected String name(VpnGateway gateway) {
    return Names.workload(gateway);
  }

  @Override
  protected StatefulSet desired(VpnGateway gateway, Context<VpnGateway> context) {
    GatewayInputs inputs = inputs(context);
    String name = gateway.getMetadata().getName();
    return new StatefulSetBuilder()
        .withMetadata(metadata(gateway, name(gateway), GatewayComponents.GATEWAY))
        .withNewSpec()
        .withReplicas(inputs.config().replicas())
        .withServiceName(Names.workload(gateway))
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(Labels.selector(name))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(name, GatewayComponents.GATEWAY))
        .withAnnotations(Map.of(RESTART_HASH_ANNOTATION, inputs.restartHash()))
        .endMetadata()
        .withSpec(podSpec(gateway, inputs))
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PodSpec podSpec(VpnGateway gateway, GatewayInputs inputs) {
    GatewayTemplate template = gateway.getSpec().template;
    PodSpecBuilder pod =
        new PodSpecBuilder()
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(30L)
            .withNewSecurityContext()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .withSysctls(sysctls(inputs))
            .endSecurityContext()
            .withContainers(container(gateway, inputs))
            .withVolumes(volumes(gateway, inputs));
    if (template != null) {
      pod.withNodeSelector(template.nodeSelector.isEmpty() ? null : template.nodeSelector)
          .withTolerations(template.tolerations.isEmpty() ? null : template.tolerations)
          .withAffinity(template.affinity);
    }
    return pod.build();
  }

  /**
   * Ports below 1024 without CAP_NET_BIND_SERVICE (a "safe", namespaced sysctl), and IPv4
   * forwarding when the operator is configured to set it.
   */
  private static List<Sysctl> sysctls(GatewayInputs inputs) {
    List<Sysctl> sysctls = new ArrayList<>();
    sysctls.add(new Sysctl("net.ipv4.ip_unprivileged_port_start", "0"));
    if (inputs.ipForwardSysctl()) {
      sysctls.add(new Sysctl("net.ipv4.ip_forward", "1"));
    }
    return sysctls;
  }

  private static Container container(VpnGateway gateway, GatewayInputs inputs) {
    GatewayConfig config = inputs.config();
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(inputs.image())
        .withImagePullPolicy(inputs.imagePullPolicy())
        .withCommand("vpngw", "serve", "--config", CONFIG_FILE)
        .withEnv(
            new EnvVarBuilder()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .build())
        .withPorts(ports(config))
        .withResources(PodResources.of(gateway.getSpec()))
        .withNewSecurityContext()
        .withRunAsUser(0L)
        .withRunAsNonRoot(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .withAdd("NET_ADMIN")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath(CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tun")
        .withMountPath(TUN_DEVICE)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .withReadinessProbe(probe(READINESS_PATH, 5, 3))
        .withLivenessProbe(probe(LIVENESS_PATH, 10, 6))
        .build();
  }

  private static List<ContainerPort> ports(GatewayConfig config) {
    List<ContainerPort> ports = new ArrayList<>();
    List<GatewayPorts.Port> all = new ArrayList<>(GatewayPorts.clientPorts(config));
    all.add(GatewayPorts.management(config));
    all.add(GatewayPorts.health(config));
    for (GatewayPorts.Port p : all) {
      ports.add(
          new ContainerPortBuilder()
              .withName(p.name())
              .withProtocol(p.protocol())
              .withContainerPort(p.port())
              .build());
    }
    return ports;
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        // the health port: plain HTTP the kubelet can call (the management port is TLS with the
        // gateway's own CA, which the kubelet does not know)
        .withNewPort(GatewayPorts.HEALTH)
        .withScheme("HTTP")
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(2)
        .build();
  }

  private static List<Volume> volumes(VpnGateway gateway, GatewayInputs inputs) {
    return List.of(
        ConfigFiles.projectedVolume("config", gateway, inputs),
        new VolumeBuilder()
            .withName("tun")
            .withNewHostPath()
            .withPath(TUN_DEVICE)
            .withType("CharDevice")
            .endHostPath()
            .build(),
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("16Mi"))
            .endEmptyDir()
            .build());
  }
}
