package io.vpngateway.operator.gateway;

import io.vpngateway.api.config.GatewayConfig;
import io.vpngateway.operator.support.ContextKeys;
import java.util.Map;
import java.util.Optional;

/**
 * What the VpnGateway reconciler works out before it runs its workflow, so that every dependent's
 * {@code desired()} is a pure function of the CR and these inputs.
 *
 * @param config the rendered, validated config document
 * @param configFiles the config Secret's content: the document and the files it names that are not
 *     in the CA, server or CRL Secrets (tokens, copied trusted roots and RADIUS secrets)
 * @param restartHash hash of only the settings a gateway cannot reload (protocols, ports, pool
 *     layout); the pod template carries it, so only those changes roll the pods
 * @param image gateway container image
 * @param imagePullPolicy its pull policy
 * @param ipForwardSysctl whether the pods set {@code net.ipv4.ip_forward=1}
 * @param serverSecretName the Secret with {@code tls.crt}/{@code tls.key} the pods mount (the
 *     operator's own, or the user's from {@code serverCertificate.secretName})
 * @param certificates CA, server certificate and CRL to keep or write
 * @param operatorPods the pods the gateway's NetworkPolicy admits to the management port
 */
public record GatewayInputs(
    GatewayConfig config,
    Map<String, String> configFiles,
    String restartHash,
    String image,
    String imagePullPolicy,
    boolean ipForwardSysctl,
    String serverSecretName,
    GatewayCertificates.Material certificates,
    OperatorPods operatorPods) {

  /**
   * The operator's pods, as a NetworkPolicy peer.
   *
   * @param namespace their namespace; empty matches the labels in every namespace
   * @param labels labels every operator pod carries
   */
  public record OperatorPods(Optional<String> namespace, Map<String, String> labels) {
    public OperatorPods {
      labels = Map.copyOf(labels);
    }

    /** Parses {@code key=value,key=value} (the operator's setting). */
    public static OperatorPods of(Optional<String> namespace, String selector) {
      Map<String, String> labels = new java.util.TreeMap<>();
      for (String pair : selector.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "vpngateway.operator.pod-selector: expected key=value, got '" + pair.trim() + "'");
        }
        labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
      if (labels.isEmpty()) {
        throw new IllegalArgumentException(
            "vpngateway.operator.pod-selector is empty: it would admit every pod");
      }
      return new OperatorPods(namespace.filter(n -> !n.isBlank()), labels);
    }
  }

  public static final ContextKeys.Key<GatewayInputs> KEY =
      new ContextKeys.Key<>("vpngateway.inputs", GatewayInputs.class);

  public GatewayInputs {
    configFiles = Map.copyOf(configFiles);
  }
}
