package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * The peer's KE payload is for another Diffie-Hellman group than the one we selected, or its value
 * is invalid: INVALID_KE_PAYLOAD carrying the group we want (two octets), RFC 7296 §1.2 and §1.3.
 */
public final class InvalidKePayloadException extends IkeProtocolException {
  private final int wantedGroup;

  public InvalidKePayloadException(int wantedGroup, String message) {
    super(
        NotifyType.INVALID_KE_PAYLOAD,
        new byte[] {(byte) (wantedGroup >>> 8), (byte) wantedGroup},
        message);
    this.wantedGroup = wantedGroup;
  }

  public int wantedGroup() {
    return wantedGroup;
  }
}
