package io.vpngateway.gateway.config;

import java.util.List;

/**
 * What one reload attempt did.
 *
 * @param result applied, unchanged (same bytes), or rejected (the last good config keeps running)
 * @param message one line for the log: what changed, or every problem of a rejected config
 * @param restartNeeded settings that changed but only take effect after a restart
 */
public record ReloadOutcome(Result result, String message, List<String> restartNeeded) {
  public enum Result {
    APPLIED,
    UNCHANGED,
    REJECTED
  }

  public ReloadOutcome {
    restartNeeded = List.copyOf(restartNeeded);
  }
}
