package io.vpngateway.gateway.standalone;

/** A standalone command cannot proceed; the message says what to fix. */
public final class StandaloneException extends Exception {
  public StandaloneException(String message) {
    super(message);
  }

  public StandaloneException(String message, Throwable cause) {
    super(message, cause);
  }
}
