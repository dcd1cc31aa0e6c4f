package io.vpngateway.api.config;

/**
 * One problem in a gateway spec or config document.
 *
 * @param field the field in VpnGateway spec terms, e.g. {@code clientAddressPools[1].cidr}
 * @param message what is wrong, never containing secret values
 */
public record ConfigError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
