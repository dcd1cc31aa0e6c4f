package io.vpngateway.gateway.management;

import io.vpngateway.gateway.config.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Checks an {@code Authorization: Bearer <token>} header (RFC 6750 section 2.1) against the current
 * management token, in constant time. The token is read on every request, so a reloaded token file
 * applies at once.
 */
final class BearerTokenCheck {
  private static final String PREFIX = "Bearer ";

  private final Supplier<SecretBytes> token;

  BearerTokenCheck(Supplier<SecretBytes> token) {
    this.token = token;
  }

  boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    byte[] presented =
        authorizationHeader.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
    try {
      return token.get().matches(presented);
    } finally {
      SecretBytes.wipe(presented);
    }
  }
}
