package io.vpngateway.gateway.sstp.exception;

import io.vpngateway.gateway.sstp.message.SstpStatus;

/**
 * Base of the SSTP server's checked failures, carrying the status the server reports to the
 * client in Call Abort (MS-SSTP section 2.2.5 Status Info). The message is safe to log.
 */
public class SstpException extends Exception {
  private final SstpStatus status;

  public SstpException(SstpStatus status, String message) {
    super(message);
    this.status = status;
  }

  public SstpStatus status() {
    return status;
  }
}
