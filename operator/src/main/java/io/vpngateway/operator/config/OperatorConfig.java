package io.vpngateway.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Operator settings. They flow Helm values → container env → this mapping (e.g. {@code
 * VPNGATEWAY_GATEWAY_IMAGE}). Reconcilers read settings only from here, never from the environment.
 * The namespaces the controllers watch are QOSDK's own setting, {@code
 * quarkus.operator-sdk.namespaces} ({@code QUARKUS_OPERATOR_SDK_NAMESPACES}).
 */
@ConfigMapping(prefix = "vpngateway")
public interface OperatorConfig {

  /** The gateway pods. */
  Gateway gateway();

  /** Facts about the cluster that the gateway config needs (pushed DNS). */
  Cluster cluster();

  /** Lifetimes of the certificates and CRLs the operator issues. */
  Pki pki();

  /** How {@code status.connections} is read from the gateways' management API. */
  Connections connections();

  /** The operator's own pods: the only ones a gateway's NetworkPolicy admits to its management API. */
  Operator operator();

  /**
   * Where the operator runs. The Helm chart sets both from the release (the namespace from the
   * downward API), so the policy follows the install.
   */
  interface Operator {
    /**
     * The operator's namespace. Empty: the policy matches operator pods by label in any namespace
     * (weaker: whoever may label pods anywhere gets in), so set it.
     */
    Optional<String> namespace();

    /** Labels of the operator pods, {@code key=value,key=value}. */
    @WithDefault("app.kubernetes.io/name=vpngateway-operator")
    String podSelector();
  }

  /** Gateway pod settings. */
  interface Gateway {
    /** Image of the gateway pods when the VpnGateway does not name one. */
    @WithDefault("ghcr.io/vpngateway/gateway:0.1.0")
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /**
     * Set {@code net.ipv4.ip_forward=1} in the gateway pods: they route client traffic into the
     * cluster. It is not a "safe" sysctl, so the kubelet must allow it ({@code
     * --allowed-unsafe-sysctls=net.ipv4.ip_forward}); turn this off where the CNI already enables
     * forwarding in pod network namespaces.
     */
    @WithDefault("true")
    boolean ipForwardSysctl();
  }

  /** Cluster facts. */
  interface Cluster {
    /** Cluster DNS Service address pushed to clients when a VpnGateway sets no DNS servers. */
    Optional<String> dnsServer();

    /** Cluster DNS domain; the default search domain is {@code <namespace>.svc.<domain>}. */
    @WithDefault("cluster.local")
    String domain();
  }

  /** Certificate and CRL lifetimes. */
  interface Pki {
    /** Validity of a gateway CA (made once; long-lived on purpose). */
    @WithDefault("87600h")
    Duration caValidity();

    /** Validity of an issued server certificate. */
    @WithDefault("2160h")
    Duration serverCertificateValidity();

    /** Renew the server certificate this long before it expires. */
    @WithDefault("720h")
    Duration serverCertificateRenewBefore();

    /** nextUpdate of a signed CRL, counted from thisUpdate. */
    @WithDefault("168h")
    Duration crlValidity();

    /** Re-sign the CRL this long before its nextUpdate. */
    @WithDefault("48h")
    Duration crlRenewBefore();
  }

  /**
   * Reading live connections. The management API has no watch, so a Ready gateway is reconciled
   * again every {@code pollInterval} to refresh its count; the status is written only when the
   * count changed.
   */
  interface Connections {
    /** Re-read the connections of a Ready gateway this often. */
    @WithDefault("30s")
    Duration pollInterval();

    /**
     * Longest wait for the gateway pods' answers (all pods together, asked at once); a pod that
     * takes longer is left out of the count.
     */
    @WithDefault("2s")
    Duration timeout();
  }
}
