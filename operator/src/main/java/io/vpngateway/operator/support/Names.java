package io.vpngateway.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Names of the objects a VpnGateway owns, derived from the gateway's name. */
public final class Names {
  public static final String CA_SUFFIX = "-ca";
  public static final String SERVER_TLS_SUFFIX = "-server-tls";
  public static final String CRL_SUFFIX = "-crl";
  public static final String CONFIG_SUFFIX = "-config";

  private Names() {}

  /** CA certificate and key. Never mounted in gateway pods. */
  public static String caSecret(HasMetadata gateway) {
    return caSecret(gateway.getMetadata().getName());
  }

  public static String caSecret(String gateway) {
    return gateway + CA_SUFFIX;
  }

  /** Server certificate and key (kubernetes.io/tls). */
  public static String serverSecret(HasMetadata gateway) {
    return gateway.getMetadata().getName() + SERVER_TLS_SUFFIX;
  }

  /** CRL and tls-crypt-v2 server key; updated when a ClientCertificate is revoked. */
  public static String crlSecret(HasMetadata gateway) {
    return crlSecret(gateway.getMetadata().getName());
  }

  public static String crlSecret(String gateway) {
    return gateway + CRL_SUFFIX;
  }

  /** Rendered config document and the files it names that are not in the other Secrets. */
  public static String configSecret(HasMetadata gateway) {
    return gateway.getMetadata().getName() + CONFIG_SUFFIX;
  }

  /** StatefulSet, Service and PodDisruptionBudget share the gateway's name. */
  public static String workload(HasMetadata gateway) {
    return gateway.getMetadata().getName();
  }
}
