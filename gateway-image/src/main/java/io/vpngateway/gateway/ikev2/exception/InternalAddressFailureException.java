package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * No inner address could be assigned to the client (its pool is exhausted): RFC 7296 §3.15.4,
 * INTERNAL_ADDRESS_FAILURE.
 */
public final class InternalAddressFailureException extends IkeProtocolException {
  public InternalAddressFailureException(String message) {
    super(NotifyType.INTERNAL_ADDRESS_FAILURE, message);
  }
}
