package io.vpngateway.gateway.openvpn.exception;

/** Base of the OpenVPN server's checked failures; the message is safe to log (no secrets). */
public class OpenVpnException extends Exception {
  public OpenVpnException(String message) {
    super(message);
  }

  public OpenVpnException(String message, Throwable cause) {
    super(message, cause);
  }
}
