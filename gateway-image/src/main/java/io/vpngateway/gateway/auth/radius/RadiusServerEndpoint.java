package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.config.SecretBytes;
import java.time.Duration;
import java.util.Objects;

/**
 * One RADIUS server as the gateway uses it.
 *
 * @param host host name or address (resolved at each exchange, so a Service's new address applies)
 * @param authPort Access-Request port (1812)
 * @param accountingPort Accounting-Request port (1813)
 * @param secret the shared secret, from the mounted config only; never logged
 * @param priority lower is tried first
 * @param timeout how long to wait for one answer before retransmitting; MFA push needs a long one
 */
public record RadiusServerEndpoint(
    String host,
    int authPort,
    int accountingPort,
    SecretBytes secret,
    int priority,
    Duration timeout) {
  public RadiusServerEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(timeout, "timeout");
    if (secret.length() == 0) {
      throw new IllegalArgumentException("RADIUS shared secret of " + host + " is empty");
    }
  }

  /** {@code host:port}, how logs, metrics and status name the server (never with its secret). */
  public String label() {
    return host + ":" + authPort;
  }

  @Override
  public String toString() {
    return "RadiusServerEndpoint[" + label() + ", priority " + priority + ", timeout " + timeout
        + "]";
  }
}
