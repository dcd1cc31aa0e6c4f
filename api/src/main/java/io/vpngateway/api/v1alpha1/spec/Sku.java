package io.vpngateway.api.v1alpha1.spec;

/**
 * Capacity presets named as Azure's VPN gateway SKUs. A preset sets defaults for
 * {@code maxConnections}, replicas and pod resources; explicit fields in the spec win.
 */
public enum Sku {
  Basic(250, 1, "250m", "256Mi", "1", "512Mi"),
  VpnGw1(500, 1, "500m", "384Mi", "1", "768Mi"),
  VpnGw2(1000, 2, "1", "512Mi", "2", "1Gi"),
  VpnGw3(5000, 2, "2", "1Gi", "4", "2Gi"),
  VpnGw4(5000, 3, "2", "1Gi", "4", "2Gi"),
  VpnGw5(10000, 4, "4", "2Gi", "8", "4Gi");

  public final int maxConnections;
  public final int replicas;
  public final String cpuRequest;
  public final String memoryRequest;
  public final String cpuLimit;
  public final String memoryLimit;

  Sku(int maxConnections, int replicas, String cpuRequest, String memoryRequest, String cpuLimit,
      String memoryLimit) {
    this.maxConnections = maxConnections;
    this.replicas = replicas;
    this.cpuRequest = cpuRequest;
    this.memoryRequest = memoryRequest;
    this.cpuLimit = cpuLimit;
    this.memoryLimit = memoryLimit;
  }
}
