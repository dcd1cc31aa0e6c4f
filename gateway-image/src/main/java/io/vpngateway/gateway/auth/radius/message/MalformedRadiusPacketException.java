package io.vpngateway.gateway.auth.radius.message;

/**
 * A RADIUS packet that does not decode (RFC 2865 section 3: a packet whose Length or attribute
 * lengths are inconsistent is silently discarded). The message names the defect, never a value.
 */
public final class MalformedRadiusPacketException extends Exception {
  public MalformedRadiusPacketException(String message) {
    super(message);
  }
}
