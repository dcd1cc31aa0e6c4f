package io.vpngateway.api.openvpn;

/** A key file or wrapped key is malformed or fails authentication. The message never holds key bytes. */
public final class OpenVpnKeyFormatException extends Exception {
  public OpenVpnKeyFormatException(String message) {
    super(message);
  }
}
