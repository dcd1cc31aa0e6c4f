package io.vpngateway.gateway.admission;

/**
 * One connection taken from the gateway-wide budget. The session holding it releases it exactly
 * when it ends; {@link #release()} is idempotent so that two shutdown paths cannot free it twice.
 */
public interface ConnectionSlot {
  void release();
}
