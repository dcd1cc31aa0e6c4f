package io.vpngateway.gateway.net;

/** The host network could not be configured; the message names the command and its output. */
public final class NetworkSetupException extends RuntimeException {
  public NetworkSetupException(String message) {
    super(message);
  }

  public NetworkSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
