package io.vpngateway.gateway.openvpn.exception;

/**
 * A packet failed its integrity check (tls-crypt HMAC, AEAD tag, WKc) or was a replay. It is
 * dropped silently: answering would help an attacker probe the key.
 */
public final class PacketAuthenticationException extends OpenVpnException {
  public PacketAuthenticationException(String message) {
    super(message);
  }
}
