package io.vpngateway.gateway.metrics;

/**
 * Contributes metric families read at scrape time from a component that keeps its own counters (a
 * protocol server's stats, the TUN interface's kernel counters).
 */
@FunctionalInterface
public interface MetricsCollector {
  void collect(PrometheusTextWriter writer);
}
