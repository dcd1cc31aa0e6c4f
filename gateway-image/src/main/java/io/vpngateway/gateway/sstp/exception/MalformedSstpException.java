package io.vpngateway.gateway.sstp.exception;

import io.vpngateway.gateway.sstp.message.SstpStatus;

/** A packet does not parse (MS-SSTP section 2.2); the connection is aborted, fail closed. */
public final class MalformedSstpException extends SstpException {
  public MalformedSstpException(String message) {
    super(SstpStatus.INVALID_FRAME_RECEIVED, message);
  }
}
