package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * The peer's traffic selectors do not overlap what the gateway routes: RFC 7296 §2.9,
 * TS_UNACCEPTABLE.
 */
public final class TsUnacceptableException extends IkeProtocolException {
  public TsUnacceptableException(String message) {
    super(NotifyType.TS_UNACCEPTABLE, message);
  }
}
