package io.vpngateway.gateway.sstp.ppp.exception;

/**
 * A PPP frame or control packet does not parse (RFC 1661 sections 2 and 5): the frame is dropped
 * and counted; the session goes on (a peer's garbage is its own loss).
 */
public final class MalformedPppException extends Exception {
  public MalformedPppException(String message) {
    super(message);
  }
}
