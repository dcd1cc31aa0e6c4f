package io.vpngateway.gateway.cli;

/** A command cannot do what was asked for a reason the user can fix; the message says how. */
final class UserException extends Exception {
  UserException(String message) {
    super(message);
  }

  UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
