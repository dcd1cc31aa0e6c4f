package io.vpngateway.gateway.config;

/** Told about every configuration that replaced the running one. */
@FunctionalInterface
public interface ConfigListener {
  /**
   * Applies {@code next}. Called on the reload thread, in registration order, after {@code next}
   * became current. Must not throw for a valid config; a throw is logged and the others still run.
   */
  void onReload(RuntimeConfig previous, RuntimeConfig next);
}
