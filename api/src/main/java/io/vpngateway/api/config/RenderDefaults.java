package io.vpngateway.api.config;

/**
 * What the renderer cannot read from the CR: facts about the cluster (or the standalone host).
 *
 * @param clusterDnsServer DNS server pushed when the CR names none (the cluster DNS Service), or
 *     null to push none
 * @param clusterDomain the cluster's DNS domain, e.g. {@code cluster.local}, or null
 */
public record RenderDefaults(String clusterDnsServer, String clusterDomain) {
  /** Standalone: no cluster, so no DNS is pushed unless the CR names it. */
  public static RenderDefaults standalone() {
    return new RenderDefaults(null, null);
  }
}
