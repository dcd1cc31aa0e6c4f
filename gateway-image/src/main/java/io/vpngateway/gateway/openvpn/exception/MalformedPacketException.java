package io.vpngateway.gateway.openvpn.exception;

/** A packet or control message does not parse; the caller drops it and counts it. */
public final class MalformedPacketException extends OpenVpnException {
  public MalformedPacketException(String message) {
    super(message);
  }
}
