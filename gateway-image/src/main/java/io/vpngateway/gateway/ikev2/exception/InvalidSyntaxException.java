package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * A message or payload is malformed (bad lengths, a missing mandatory payload, a field out of
 * range): INVALID_SYNTAX, RFC 7296 §3.10.1. A decode failure always ends in this type, so a caller
 * fails closed on any malformed input.
 */
public final class InvalidSyntaxException extends IkeProtocolException {
  public InvalidSyntaxException(String message) {
    super(NotifyType.INVALID_SYNTAX, message);
  }
}
