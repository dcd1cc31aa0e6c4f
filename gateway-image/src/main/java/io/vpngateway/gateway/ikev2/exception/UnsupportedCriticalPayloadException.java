package io.vpngateway.gateway.ikev2.exception;

import io.vpngateway.gateway.ikev2.message.NotifyType;

/**
 * A payload of a type we do not know had its critical bit set: UNSUPPORTED_CRITICAL_PAYLOAD with
 * the one-octet payload type as data, RFC 7296 §2.5 and §3.10.1.
 */
public final class UnsupportedCriticalPayloadException extends IkeProtocolException {
  private final int payloadType;

  public UnsupportedCriticalPayloadException(int payloadType) {
    super(
        NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
        new byte[] {(byte) payloadType},
        "unsupported critical payload type " + payloadType);
    this.payloadType = payloadType;
  }

  public int payloadType() {
    return payloadType;
  }
}
