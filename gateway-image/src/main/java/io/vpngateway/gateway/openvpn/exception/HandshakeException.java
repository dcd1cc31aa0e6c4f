package io.vpngateway.gateway.openvpn.exception;

/** The TLS handshake or key exchange of one key state failed; that key state is dropped. */
public final class HandshakeException extends OpenVpnException {
  public HandshakeException(String message) {
    super(message);
  }

  public HandshakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
